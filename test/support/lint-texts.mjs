// Lints small sources as if they sat at given paths of the repository, with the repository's own
// eslint.config.mjs, and prints what ESLint reported. A child process of the tests: ESLint loads its
// flat config with a dynamic import, which jest's module sandbox refuses.
// stdin: [{ filePath, code }] (filePath relative to the repository); stdout: [[{ ruleId, message }]].
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let input = '';
for await (const chunk of process.stdin) input += chunk;

const eslint = new ESLint({ cwd: repoRoot });
const reports = [];
for (const { filePath, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, filePath) });
  reports.push((result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(JSON.stringify(reports));
