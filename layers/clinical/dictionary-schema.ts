/**
 * The JSON Schema (draft 2020-12) of one node's record as a site sends it in a JSON sheet,
 * generated from the dictionary: what the intake accepts, for tools that validate before
 * uploading. Enumerations are listed in the dictionary's spelling (the intake also takes them
 * in any letter case); a `days` property may come as its date column with an `index_date`.
 */
import { CODE_SYSTEMS, INDEX_DATE_COLUMN, type Dictionary, type NodeDef, type PropertyDef } from './dictionary';
import { MAX_DAYS } from './clinical-sheet';

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

export function nodeJsonSchema(node: NodeDef): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const dateAlternatives: Record<string, unknown>[] = [];
  for (const p of node.properties) {
    properties[p.name] = propertySchema(p);
    if (p.dateColumn) {
      properties[p.dateColumn] = {
        type: 'string',
        pattern: DATE_PATTERN,
        description: `The date of ${p.name}, converted at intake to days from ${INDEX_DATE_COLUMN}; never stored.`,
      };
      if (p.required) dateAlternatives.push({ anyOf: [{ required: [p.name] }, { required: [p.dateColumn, INDEX_DATE_COLUMN] }] });
    }
  }
  properties[INDEX_DATE_COLUMN] = {
    type: 'string',
    pattern: DATE_PATTERN,
    description: "The case's index event date, only to convert this record's dates; never stored.",
  };
  const required = node.properties.filter((p) => p.required && !p.dateColumn).map((p) => p.name);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://hilum.dev/schemas/clinical/${node.node}/${node.version}`,
    title: `hilum ${node.node} record ${node.version}`,
    description: node.description,
    type: 'object',
    additionalProperties: false,
    required,
    properties,
    ...(dateAlternatives.length ? { allOf: dateAlternatives } : {}),
  };
}

/** A JSON sheet: an array of the node's records. */
export function sheetJsonSchema(node: NodeDef): Record<string, unknown> {
  const { $schema, $id, title, ...record } = nodeJsonSchema(node);
  return { $schema, $id: `${String($id)}/sheet`, title: `${String(title)} sheet`, type: 'array', minItems: 1, items: record };
}

export function dictionaryJsonSchemas(dictionary: Dictionary): Record<string, Record<string, unknown>> {
  return Object.fromEntries(dictionary.nodes.map((n) => [n.node, nodeJsonSchema(n)]));
}

function propertySchema(p: PropertyDef): Record<string, unknown> {
  const description = p.description;
  switch (p.type) {
    case 'string':
      return { type: 'string', maxLength: p.maxLength ?? 256, description };
    case 'enum':
      return {
        type: 'string',
        enum: [...p.values!],
        description,
        ...(p.codeSystem ? { 'x-code-system': CODE_SYSTEMS[p.codeSystem].url } : {}),
      };
    case 'code': {
      const system = CODE_SYSTEMS[p.codeSystem!] as { readonly url: string; readonly pattern?: string };
      return { type: 'string', pattern: system.pattern!, description, 'x-code-system': system.url };
    }
    case 'integer':
      return {
        type: 'integer',
        ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
        ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
        description,
      };
    case 'number':
      return {
        type: 'number',
        ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
        ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
        description,
      };
    case 'days':
      return { type: 'integer', minimum: -MAX_DAYS, maximum: MAX_DAYS, description };
    case 'date':
      return { type: 'string', pattern: DATE_PATTERN, format: 'date', description };
    case 'age':
      return { anyOf: [{ type: 'integer', minimum: 0, maximum: 120 }, { const: '90+' }], description };
  }
}
