/**
 * The route catalogue (layers/access/matrix.ts), its summaries (layers/access/route-summaries.ts)
 * and the route -> function table (functions/registry.ts) are kept in step by the compiler,
 * not only by tests: each case
 * below edits the real files in memory the way a careless change would, compiles them
 * with the project's compiler options, and expects a type error.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../../..');
const CATALOGUE = join(ROOT, 'layers/access/matrix.ts');
const REGISTRY = join(ROOT, 'functions/registry.ts');
const SUMMARIES = join(ROOT, 'layers/access/route-summaries.ts');

type Edits = Partial<Record<string, (text: string) => string>>;

function projectOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  return { ...ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options, noEmit: true };
}

/** Replaces `from` (which must occur exactly once, or the case no longer edits what it claims to) with `to`. */
function replaceOnce(from: string, to: string): (text: string) => string {
  return (text) => {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
    return text.slice(0, at) + to + text.slice(at + from.length);
  };
}

let previous: ts.Program | undefined;
// Unedited files are parsed once for all cases.
const parsed = new Map<string, ts.SourceFile | undefined>();

/** The type errors of the catalogue, its summaries and the registry after `edits`. */
function typeErrors(edits: Edits): string[] {
  const options = projectOptions();
  const host = ts.createCompilerHost(options);
  const readSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const edit = edits[resolve(fileName)];
    if (edit) return ts.createSourceFile(fileName, edit(readFileSync(fileName, 'utf8')), languageVersion, true);
    if (!parsed.has(fileName)) parsed.set(fileName, readSourceFile(fileName, languageVersion, onError, shouldCreate));
    return parsed.get(fileName);
  };
  const program = ts.createProgram({ rootNames: [REGISTRY, SUMMARIES], options, host, ...(previous ? { oldProgram: previous } : {}) });
  previous = program;
  return [CATALOGUE, SUMMARIES, REGISTRY].flatMap((file) => {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not part of the program`);
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (d) => `${file.slice(ROOT.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    );
  });
}

const AUDIT_ROUTE = "  auditLog: { method: 'GET', path: '/audit', roles: { admin: 'all' } },\n";
const CATALOGUE_END = '} satisfies Record<string, RouteAccess>;';
const AUDIT_FUNCTION = "  auditLog: 'auditLog',\n";
const FUNCTIONS_START = 'export const ROUTE_FUNCTIONS: Readonly<Record<RouteId, FunctionKey>> = {\n';
const SUMMARIES_START = 'export const ROUTE_SUMMARIES: Readonly<Record<RouteId, string>> = {\n';
const EXPORT_CASES = "  exportCases: { method: 'GET', path: '/cases', roles: { curator: 'all' } },\n";

describe('the route catalogue and the route -> function table, as types', () => {
  it('compile as they are', () => {
    expect(typeErrors({})).toEqual([]);
  });

  it('refuse a route without roles', () => {
    const errors = typeErrors({
      [CATALOGUE]: replaceOnce(AUDIT_ROUTE, "  auditLog: { method: 'GET', path: '/audit' },\n"),
    });
    expect(errors).toContainEqual(
      expect.stringMatching(/^layers\/access\/matrix\.ts: .*'roles' is missing in type .* but required in type 'RouteAccess'/),
    );
  });

  it('refuse a route whose roles are empty', () => {
    const errors = typeErrors({
      [CATALOGUE]: replaceOnce(AUDIT_ROUTE, "  auditLog: { method: 'GET', path: '/audit', roles: {} },\n"),
    });
    expect(errors).toContainEqual(
      expect.stringMatching(/^layers\/access\/matrix\.ts: .*Type '\{\}' is not assignable to type 'RouteRoles'/),
    );
  });

  it('refuse a route in the catalogue that no function serves', () => {
    const errors = typeErrors({
      [CATALOGUE]: replaceOnce(CATALOGUE_END, `${EXPORT_CASES}${CATALOGUE_END}`),
      [SUMMARIES]: replaceOnce(SUMMARIES_START, `${SUMMARIES_START}  exportCases: 'cases',\n`),
    });
    expect(errors).toContainEqual(expect.stringMatching(/^functions\/registry\.ts: .*'exportCases' is missing/));
  });

  it('refuse a function for a route the catalogue (and so the access matrix) does not have', () => {
    const errors = typeErrors({
      [REGISTRY]: replaceOnce(FUNCTIONS_START, `${FUNCTIONS_START}  exportCases: 'putCases',\n`),
    });
    expect(errors).toContainEqual(expect.stringMatching(/^functions\/registry\.ts: .*'exportCases' does not exist in type/));
  });

  it('refuse a catalogue route left out of the function table', () => {
    const errors = typeErrors({ [REGISTRY]: replaceOnce(AUDIT_FUNCTION, '') });
    expect(errors).toContainEqual(expect.stringMatching(/^functions\/registry\.ts: .*'auditLog' is missing/));
  });

  it('refuse a route without a summary', () => {
    const errors = typeErrors({
      [CATALOGUE]: replaceOnce(CATALOGUE_END, `${EXPORT_CASES}${CATALOGUE_END}`),
      [REGISTRY]: replaceOnce(FUNCTIONS_START, `${FUNCTIONS_START}  exportCases: 'putCases',\n`),
    });
    expect(errors).toContainEqual(expect.stringMatching(/^layers\/access\/route-summaries\.ts: .*'exportCases' is missing/));
  });

  it('refuse a summary of a route the catalogue does not have', () => {
    const errors = typeErrors({ [SUMMARIES]: replaceOnce(SUMMARIES_START, `${SUMMARIES_START}  exportCases: 'cases',\n`) });
    expect(errors).toContainEqual(expect.stringMatching(/^layers\/access\/route-summaries\.ts: .*'exportCases' does not exist in type/));
  });
});
