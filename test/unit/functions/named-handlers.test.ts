/**
 * Every Lambda handler's body is a named function (`httpHandler(spec, async function
 * createSubmission(...) {...})`), not an anonymous arrow, so stack traces, X-Ray
 * subsegments and CPU profiles say which handler they are in; and no two handlers share
 * a name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { DEPLOY_FUNCTIONS, FUNCTIONS } from '../../../functions/registry';

const ROOT = join(__dirname, '../../..');

/** The name of the function an `export const handler = wrapper(..., body)` wraps, or why there is none. */
function handlerBodyName(entry: string): string {
  const source = ts.createSourceFile(entry, readFileSync(join(ROOT, entry), 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements
    .filter(ts.isVariableStatement)
    .flatMap((statement) => [...statement.declarationList.declarations])
    .find((d) => ts.isIdentifier(d.name) && d.name.text === 'handler');
  if (!declaration?.initializer || !ts.isCallExpression(declaration.initializer)) return 'no handler = wrapper(...)';
  const body = declaration.initializer.arguments.at(-1);
  if (body && ts.isFunctionExpression(body) && body.name) return body.name.text;
  if (body && ts.isIdentifier(body)) {
    const named = source.statements.find((s) => ts.isFunctionDeclaration(s) && s.name?.text === body.text);
    if (named) return body.text;
  }
  return `anonymous (${body ? ts.SyntaxKind[body.kind] : 'no body'})`;
}

const HANDLERS = [...Object.values(FUNCTIONS), ...Object.values(DEPLOY_FUNCTIONS)].map((spec) => [spec.entry] as const);

describe('handler bodies', () => {
  it.each(HANDLERS)('%s: its body is a named function', (entry) => {
    expect(handlerBodyName(entry)).toMatch(/^(?!anonymous|no handler)[a-z][A-Za-z0-9]*$/);
  });

  it('have a name of their own each', () => {
    const names = HANDLERS.map(([entry]) => handlerBodyName(entry));
    expect(new Set(names).size).toBe(names.length);
  });
});
