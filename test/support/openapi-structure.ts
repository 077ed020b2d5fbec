/**
 * A structural check of an OpenAPI 3.1 document, for the rules of the specification
 * (https://spec.openapis.org/oas/v3.1.0) a generator can break: no copy of the official
 * meta-schema is available offline on this machine, so each rule is written out here, and
 * every Schema Object is compiled as JSON Schema 2020-12 (OpenAPI 3.1's dialect) by ajv.
 * Returns the problems found, each with where it is; none means valid.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PATH_ITEM_KEYS = new Set([...METHODS, '$ref', 'summary', 'description', 'servers', 'parameters']);
const OPERATION_KEYS = new Set([
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'parameters',
  'requestBody',
  'responses',
  'callbacks',
  'deprecated',
  'security',
  'servers',
]);
const PARAMETER_IN = new Set(['query', 'header', 'path', 'cookie']);
const STATUS = /^([1-5][0-9][0-9]|[1-5]XX|default)$/;
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+*-]+(\s*;.*)?$/i;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const extension = (key: string) => key.startsWith('x-');

export function openApi31Problems(document: unknown): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(document)) return ['(root): not an object'];
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  const checkSchema = (where: string, schema: unknown) => {
    if (typeof schema === 'boolean') return;
    if (!isObject(schema)) return problem(where, 'a Schema Object must be an object or a boolean');
    if (typeof schema.$ref === 'string') return checkRef(where, schema.$ref);
    const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] as string);
    for (const ref of refs) checkRef(where, ref);
    if (refs.length > 0) return; // compiled where it is defined (components.schemas)
    try {
      ajv.compile(schema);
    } catch (error) {
      problem(where, `not a valid JSON Schema 2020-12: ${(error as Error).message}`);
    }
  };

  const checkRef = (where: string, ref: string) => {
    const m = /^#\/components\/(schemas|responses|parameters|securitySchemes)\/([^/]+)$/.exec(ref);
    const section = m ? (components[m[1] as string] as Json | undefined) : undefined;
    if (!m || !section || !(m[2]! in section)) problem(where, `$ref ${ref} resolves to nothing`);
  };

  if (typeof document.openapi !== 'string' || !/^3\.1\.\d+$/.test(document.openapi)) problem('openapi', 'must be 3.1.x');
  const info = document.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string')
    problem('info', 'needs a title and a version (strings)');
  if (isObject(info) && info.license !== undefined) {
    const license = info.license as Json;
    if (typeof license.name !== 'string') problem('info.license', 'needs a name');
    if (license.identifier !== undefined && license.url !== undefined) problem('info.license', 'identifier and url are mutually exclusive');
  }
  for (const [i, server] of ((document.servers as unknown[] | undefined) ?? []).entries()) {
    if (!isObject(server) || typeof server.url !== 'string') problem(`servers[${i}]`, 'needs a url');
    const variables = isObject(server) ? ((server.variables as Json | undefined) ?? {}) : {};
    for (const [name] of String(isObject(server) ? server.url : '').matchAll(/\{([^}]+)\}/g)) {
      const variable = variables[name.slice(1, -1)] as Json | undefined;
      if (!variable || typeof variable.default !== 'string') problem(`servers[${i}]`, `variable ${name} needs a default`);
    }
  }
  const components = (isObject(document.components) ? document.components : {}) as Json & { schemas?: Json };
  for (const [name, schema] of Object.entries(components.schemas ?? {})) checkSchema(`components.schemas.${name}`, schema);
  const schemes = (components.securitySchemes ?? {}) as Json;
  for (const [name, scheme] of Object.entries(schemes)) {
    const s = scheme as Json;
    if (!['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(String(s.type)))
      problem(`securitySchemes.${name}`, 'unknown type');
    if (s.type === 'http' && typeof s.scheme !== 'string') problem(`securitySchemes.${name}`, 'an http scheme needs `scheme`');
  }
  const checkSecurity = (where: string, security: unknown) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return problem(where, 'security must be an array');
    for (const requirement of security) {
      for (const [name, scopes] of Object.entries(requirement as Json)) {
        if (!(name in schemes)) problem(where, `security names ${name}, which components.securitySchemes lacks`);
        if (!Array.isArray(scopes)) problem(where, `security ${name}: scopes must be an array`);
      }
    }
  };
  checkSecurity('security', document.security);

  const tagNames = new Set(((document.tags as Json[] | undefined) ?? []).map((t) => t.name));
  const operationIds = new Set<string>();
  if (!isObject(document.paths)) return [...problems, 'paths: missing'];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/')) problem(path, 'a path must begin with /');
    if (!isObject(item)) {
      problem(path, 'a Path Item must be an object');
      continue;
    }
    for (const key of Object.keys(item)) if (!PATH_ITEM_KEYS.has(key) && !extension(key)) problem(path, `unknown Path Item field ${key}`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!isObject(operation)) {
        problem(where, 'an Operation must be an object');
        continue;
      }
      for (const key of Object.keys(operation))
        if (!OPERATION_KEYS.has(key) && !extension(key)) problem(where, `unknown Operation field ${key}`);
      if (typeof operation.operationId === 'string') {
        if (operationIds.has(operation.operationId)) problem(where, `operationId ${operation.operationId} is not unique`);
        operationIds.add(operation.operationId);
      }
      for (const tag of (operation.tags as string[] | undefined) ?? [])
        if (!tagNames.has(tag)) problem(where, `tag ${tag} is not declared`);
      checkSecurity(where, operation.security);
      const parameters = (operation.parameters as Json[] | undefined) ?? [];
      const seen = new Set<string>();
      for (const p of parameters) {
        const at = `${where} parameter ${String(p.name)}`;
        if (typeof p.name !== 'string' || !PARAMETER_IN.has(String(p.in))) problem(at, 'needs a name and a valid `in`');
        if (seen.has(`${String(p.in)}:${String(p.name)}`)) problem(at, 'appears twice');
        seen.add(`${String(p.in)}:${String(p.name)}`);
        if (p.in === 'path' && p.required !== true) problem(at, 'a path parameter must be required');
        if (p.in === 'path' && !templated.includes(String(p.name))) problem(at, 'is not in the path template');
        if ((p.schema === undefined) === (p.content === undefined)) problem(at, 'needs exactly one of schema and content');
        if (p.schema !== undefined) checkSchema(at, p.schema);
      }
      for (const name of templated) if (!seen.has(`path:${name}`)) problem(where, `path template {${name}} has no path parameter`);
      if (operation.requestBody !== undefined) {
        const body = operation.requestBody as Json;
        if (!isObject(body.content) || Object.keys(body.content).length === 0) problem(where, 'a requestBody needs content');
        for (const [type, media] of Object.entries((body.content as Json | undefined) ?? {})) {
          if (!MEDIA_TYPE.test(type)) problem(where, `request media type ${type} is not a media type`);
          checkSchema(`${where} request ${type}`, (media as Json).schema);
        }
      }
      const responses = operation.responses;
      if (!isObject(responses) || Object.keys(responses).length === 0) {
        problem(where, 'needs at least one response');
        continue;
      }
      for (const [status, response] of Object.entries(responses)) {
        const at = `${where} ${status}`;
        if (!STATUS.test(status)) problem(at, 'not a status code');
        if (!isObject(response)) {
          problem(at, 'a Response must be an object');
          continue;
        }
        if (typeof response.$ref === 'string') {
          checkRef(at, response.$ref);
          continue;
        }
        if (typeof response.description !== 'string') problem(at, 'a Response needs a description');
        for (const [type, media] of Object.entries((response.content as Json | undefined) ?? {})) {
          if (!MEDIA_TYPE.test(type)) problem(at, `media type ${type} is not a media type`);
          checkSchema(`${at} ${type}`, (media as Json).schema);
        }
        for (const [name, header] of Object.entries((response.headers as Json | undefined) ?? {})) {
          if ((header as Json).schema === undefined && (header as Json).content === undefined) problem(at, `header ${name} needs a schema`);
        }
      }
    }
  }
  return problems;
}
