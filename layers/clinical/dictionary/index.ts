/**
 * The clinical data dictionary: the base nodes (one versioned file each) and a project's
 * extension (added nodes, added properties), validated when loaded.
 */
import { z } from 'zod';
import { caseNode } from './case';
import { conditionNode } from './condition';
import { covid19VaccinationNode } from './covid19-vaccination';
import { demographicsNode } from './demographics';
import { imagingStudyNode } from './imaging-study';
import { measurementNode } from './measurement';
import { medicationNode } from './medication';
import { procedureNode } from './procedure';
import { CASE_ID, CODE_SYSTEMS, INDEX_DATE_COLUMN, type NodeDef, type PropertyDef } from './types';
import { visitNode } from './visit';
import { vitalSignNode } from './vital-sign';

export * from './types';
export { COVID19_TESTS } from './measurement';

export const BASE_NODES: readonly NodeDef[] = [
  caseNode,
  demographicsNode,
  imagingStudyNode,
  measurementNode,
  conditionNode,
  medicationNode,
  procedureNode,
  visitNode,
  vitalSignNode,
  covid19VaccinationNode,
];

/** Nodes with at most one record per case: their properties live on the case itself. */
export const CASE_LEVEL_NODES: ReadonlySet<string> = new Set(['case', 'demographics']);

export interface Dictionary {
  readonly nodes: readonly NodeDef[];
  node(name: string): NodeDef | undefined;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const propertySchema = z
  .object({
    name: z.string().regex(NAME, 'must be snake_case (a-z, 0-9, _), starting with a letter'),
    type: z.enum(['string', 'enum', 'code', 'integer', 'number', 'days', 'age']),
    description: z.string().min(1, 'is required'),
    required: z.boolean().optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
    codeSystem: z.enum(Object.keys(CODE_SYSTEMS) as [keyof typeof CODE_SYSTEMS, ...(keyof typeof CODE_SYSTEMS)[]]).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    unit: z.string().optional(),
    maxLength: z.number().int().positive().max(1024).optional(),
    dateColumn: z.string().regex(NAME, 'must be snake_case').optional(),
    notBefore: z.string().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'enum' && !p.values) ctx.addIssue({ code: 'custom', path: ['values'], message: 'an enum needs its values' });
    if (p.type !== 'enum' && p.values) ctx.addIssue({ code: 'custom', path: ['values'], message: 'only an enum has values' });
    if (p.type === 'code' && !p.codeSystem) ctx.addIssue({ code: 'custom', path: ['codeSystem'], message: 'a code needs its code system' });
    if (p.type === 'code' && p.codeSystem && !('pattern' in CODE_SYSTEMS[p.codeSystem]))
      ctx.addIssue({ code: 'custom', path: ['codeSystem'], message: `${p.codeSystem} has no code syntax; use an enum` });
    if (p.type !== 'days' && (p.dateColumn || p.notBefore))
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'only a days property has a dateColumn or notBefore' });
    if (p.name.endsWith('_date') || /(^|_)(dob|birth|mrn|ssn|address|phone|email|zip|first_name|last_name|patient_name)($|_)/.test(p.name))
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'names a date or an identifier: hilum keeps no dates (use a days property) and no identifiers',
      });
  });

const nodeSchema = z
  .object({
    node: z.string().regex(NAME, 'must be snake_case (a-z, 0-9, _), starting with a letter'),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version such as 1.0.0'),
    description: z.string().min(1, 'is required'),
    midrc: z.string().optional(),
    key: z.array(z.string()),
    properties: z.array(propertySchema).min(1),
  })
  .strict();

/** A project's additions: whole nodes, and properties added to existing nodes. */
export const dictionaryExtensionSchema = z
  .object({
    nodes: z.array(nodeSchema).optional(),
    properties: z.array(z.object({ node: z.string(), property: propertySchema }).strict()).optional(),
  })
  .strict();
export type DictionaryExtension = z.input<typeof dictionaryExtensionSchema>;

export class DictionaryConfigError extends Error {
  override readonly name = 'DictionaryConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`the clinical dictionary configuration is invalid: ${problems.join('; ')}`);
  }
}

/**
 * The base dictionary with a project's extension applied. Throws DictionaryConfigError naming
 * every problem (its path in the configuration and what to change) when the extension is not
 * valid: a shape error, a node or property that exists already, a property added to a node
 * that does not exist, a node without `case_id` first, a key or notBefore naming no property.
 */
export function loadDictionary(extension?: unknown): Dictionary {
  const problems: string[] = [];
  let nodes: NodeDef[] = BASE_NODES.map((n) => ({ ...n, properties: [...n.properties] }));
  if (extension !== undefined) {
    const parsed = dictionaryExtensionSchema.safeParse(extension);
    if (!parsed.success) {
      throw new DictionaryConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
    }
    (parsed.data.nodes ?? []).forEach((added, i) => {
      if (nodes.some((n) => n.node === added.node))
        problems.push(`nodes.${i}.node: node "${added.node}" exists already; add properties to it instead`);
      else nodes.push(added as NodeDef);
    });
    (parsed.data.properties ?? []).forEach(({ node, property }, i) => {
      const target = nodes.find((n) => n.node === node);
      if (!target) problems.push(`properties.${i}.node: no node "${node}" (the nodes: ${nodes.map((n) => n.node).join(', ')})`);
      else if (target.properties.some((p) => p.name === property.name))
        problems.push(`properties.${i}.property.name: node "${node}" has a property "${property.name}" already`);
      else nodes = nodes.map((n) => (n === target ? { ...n, properties: [...n.properties, property as PropertyDef] } : n));
    });
  }
  for (const n of nodes) problems.push(...nodeProblems(n));
  if (problems.length) throw new DictionaryConfigError(problems);
  const byName = new Map(nodes.map((n) => [n.node, n]));
  return { nodes, node: (name) => byName.get(name) };
}

function nodeProblems(n: NodeDef): string[] {
  const problems: string[] = [];
  const names = n.properties.map((p) => p.name);
  if (names[0] !== CASE_ID.name) problems.push(`node "${n.node}": its first property must be case_id`);
  const seen = new Set<string>();
  for (const p of n.properties) {
    if (seen.has(p.name)) problems.push(`node "${n.node}": property "${p.name}" appears twice`);
    seen.add(p.name);
    if (p.dateColumn && (names.includes(p.dateColumn) || p.dateColumn === INDEX_DATE_COLUMN))
      problems.push(`node "${n.node}": dateColumn "${p.dateColumn}" of "${p.name}" clashes with a property`);
    if (p.notBefore && !n.properties.some((q) => q.name === p.notBefore && q.type === 'days'))
      problems.push(`node "${n.node}": notBefore of "${p.name}" names no days property`);
    if (p.minimum !== undefined && p.maximum !== undefined && p.minimum > p.maximum)
      problems.push(`node "${n.node}": "${p.name}" has minimum above maximum`);
  }
  for (const k of n.key) if (!names.includes(k)) problems.push(`node "${n.node}": key "${k}" names no property`);
  return problems;
}

/** The base dictionary (no project extension). */
export const BASE_DICTIONARY: Dictionary = /* @__PURE__ */ loadDictionary();

/**
 * One node as several dictionaries define it (the base and the extensions of the projects a table
 * spans): the first definition, with every property any of them adds appended once, in order. A
 * cohort's table of a node so has a column for each project's added property. Undefined: no
 * dictionary has the node.
 */
export function mergedNode(dictionaries: readonly Dictionary[], name: string): NodeDef | undefined {
  const defs = dictionaries.flatMap((d) => d.node(name) ?? []);
  const [first] = defs;
  if (!first) return undefined;
  const properties: PropertyDef[] = [];
  for (const p of defs.flatMap((d) => d.properties)) if (!properties.some((q) => q.name === p.name)) properties.push(p);
  return { ...first, properties };
}
