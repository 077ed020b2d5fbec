import * as path from 'node:path';
import * as ts from 'typescript';
import { ingestObjectInput } from '../../layers/pipeline/ingest-states';
import { payloadOf, statePaths } from '../../workflows/payload';

/**
 * The ASL payloads are derived from the state contracts in layers/pipeline: the compiler, not only
 * the definition's assertions, refuses a payload that leaves a field out, adds one, or feeds a
 * field from a path of another contract type.
 */
const root = path.resolve(__dirname, '../..');
const header = [
  "import type { z } from 'zod';",
  "import { ingestExecutionState, ingestObjectInput } from '../layers/pipeline/ingest-states';",
  "import { payloadOf, statePaths } from './payload';",
  'const at = statePaths<z.infer<typeof ingestExecutionState>>();',
].join('\n');

const cases = {
  complete: `payloadOf(ingestObjectInput, { bucket: at('detail', 'bucket', 'name'), key: at('detail', 'object', 'key') });`,
  missingField: `payloadOf(ingestObjectInput, { bucket: at('detail', 'bucket', 'name') });`,
  extraField: `payloadOf(ingestObjectInput, {
    bucket: at('detail', 'bucket', 'name'), key: at('detail', 'object', 'key'), fileId: at('ingest', 'fileId'),
  });`,
  wrongType: `payloadOf(ingestObjectInput, { bucket: at('detail', 'bucket', 'name'), key: at('ingest', 'qa') });`,
  unknownPath: `at('ingest', 'fileid');`,
};
type Case = keyof typeof cases;

/** Type-checks each case as a module of workflows/ (in memory, one program for all) and returns its errors. */
function typeCheck(): Record<Case, string[]> {
  const files = new Map(
    Object.entries(cases).map(([name, body]) => [path.join(root, 'workflows', `__payload-${name}__.ts`), `${header}\n${body}\n`]),
  );
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) => {
    const text = files.get(file);
    return text !== undefined ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => files.has(file) || fileExists(file);
  const program = ts.createProgram([...files.keys()], options, host);
  const names = Object.keys(cases) as Case[];
  return Object.fromEntries(
    [...files.keys()].map((file, i) => [
      names[i],
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    ]),
  ) as Record<Case, string[]>;
}

let errors: Record<Case, string[]>;
beforeAll(() => {
  errors = typeCheck();
});

describe('task payloads derived from the state contracts', () => {
  it('compile when every field of the input schema comes from a path of its type', () => {
    expect(errors.complete).toEqual([]);
  });

  it('do not compile when a field of the input schema is left out', () => {
    expect(errors.missingField).toEqual([expect.stringContaining("Property 'key' is missing")]);
  });

  it('do not compile with a field the input schema does not have', () => {
    expect(errors.extraField).toEqual([expect.stringContaining("'fileId' does not exist")]);
  });

  it('do not compile when a field is fed from a path of another contract type', () => {
    expect(errors.wrongType).toEqual([expect.stringMatching(/not assignable/)]);
  });

  it('do not compile with a path the execution state does not have', () => {
    expect(errors.unknownPath).toEqual([expect.stringContaining('"fileid"')]);
  });

  it("are refused at synth when their keys are not the schema's (a payload built around the types)", () => {
    const at = statePaths<Record<string, Record<string, string>>>();
    expect(() => payloadOf(ingestObjectInput, { bucket: at('detail', 'bucket'), objectKey: at('detail', 'key') } as never)).toThrow(
      "the payload's fields (bucket, objectKey) are not its contract's (bucket, key)",
    );
  });
});
