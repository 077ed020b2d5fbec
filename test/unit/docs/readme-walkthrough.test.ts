/**
 * The README's walk-through, run in the repository's folder, leaves nothing there
 * that git would show: every file it writes goes to a scratch folder ($W) or is ignored.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

function walkthrough(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Walk-through with curl')[1] ?? '';
  return /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
}

/** Paths the shell code writes: curl -o, > redirections, --out folders. */
function writtenPaths(script: string): string[] {
  return [...script.matchAll(/(?:-o|--out|>)\s+("?[^\s"|]+"?)/g)].map((m) => m[1]!.replace(/"/g, '')).filter((p) => p !== '/dev/null');
}

const ignoredByGit = (path: string): boolean => {
  try {
    execFileSync('git', ['check-ignore', '-q', path], { cwd: ROOT });
    return true;
  } catch {
    return false;
  }
};

describe("the README's walk-through", () => {
  it('writes files', () => {
    expect(writtenPaths(walkthrough()).length).toBeGreaterThan(0);
  });

  it.each(writtenPaths(walkthrough()))('writes %s into the scratch folder or a git-ignored path', (path) => {
    expect(path.startsWith('$W/') || ignoredByGit(path)).toBe(true);
  });
});
