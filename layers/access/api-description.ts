import type { ZodTypeAny } from 'zod';
import * as zodToJson from 'zod-to-json-schema';
import type { Role } from './caller';
import type { HttpMethod, Level } from './matrix';
import type { RouteMedia, Media } from './route-media';

/**
 * The OpenAPI 3.1 document of the REST API, built from what the handlers validate with: each
 * route's path, query and body schemas (zod, the ones the handler chain parses requests with),
 * the answers a route promises a schema for, the shared error bodies, and who may call it (the
 * access matrix). Pure: the caller hands in the routes with their schemas (tools/openapi/ collects
 * them from the handler modules) and writes the result to docs/openapi.json.
 */
export interface RouteSchemas {
  readonly body?: ZodTypeAny;
  readonly path?: ZodTypeAny;
  readonly query?: ZodTypeAny;
  readonly responses?: Readonly<Record<number, ZodTypeAny>>;
  readonly errorShape?: 'hilum' | 'drs' | 'fhir';
}

export interface DescribedRoute {
  readonly id: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  /** The matrix row; absent: a public route (no token). */
  readonly roles?: Readonly<Partial<Record<Role, Level>>>;
  readonly schemas: RouteSchemas;
  readonly media?: RouteMedia;
}

export interface ApiDescriptionInput {
  readonly version: string;
  readonly routes: readonly DescribedRoute[];
  /** Shared component schemas: the error bodies. */
  readonly errorBody: ZodTypeAny;
  readonly drsErrorBody: ZodTypeAny;
  /** The FHIR routes' error body. */
  readonly operationOutcome: ZodTypeAny;
}

export type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

export const OPENAPI_VERSION = '3.1.0';
export const SECURITY_SCHEME = 'cognitoIdToken';

const LEVEL_WORDS: Record<Level, string> = {
  all: 'every record',
  own: 'their own records only',
  data: 'only data they may download; other records answer 404',
};

/** JSON Schema (2020-12 compatible) of a zod schema, as the request is parsed (input side of defaults and coercions). */
export function jsonSchemaOf(schema: ZodTypeAny): JsonSchema {
  // zod-to-json-schema's generic options type recurses too deep on a ZodTypeAny: called through a plain signature.
  const convert = (zodToJson as unknown as { zodToJsonSchema: (schema: ZodTypeAny, options: Record<string, unknown>) => unknown })
    .zodToJsonSchema;
  const converted = convert(schema, {
    // Draft-07 output: numeric exclusiveMinimum/Maximum, as 2020-12 has them (the 2019-09 target writes draft-04 booleans).
    target: 'jsonSchema7',
    $refStrategy: 'none',
    effectStrategy: 'input',
    pipeStrategy: 'input',
  }) as JsonSchema;
  const { $schema: _dialect, ...rest } = converted;
  return rest;
}

/** Path template names in order: `/submissions/{submissionId}/uploads/{fileId}/complete` → submissionId, fileId. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1] as string);
}

function propertiesOf(schema: ZodTypeAny | undefined): { properties: Record<string, JsonSchema>; required: string[] } {
  if (!schema) return { properties: {}, required: [] };
  const json = jsonSchemaOf(schema);
  return {
    properties: (json.properties as Record<string, JsonSchema> | undefined) ?? {},
    required: (json.required as string[] | undefined) ?? [],
  };
}

function parametersOf(route: DescribedRoute): Operation[] {
  const path = propertiesOf(route.schemas.path);
  const parameters: Operation[] = pathParameterNames(route.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: path.properties[name] ?? { type: 'string' },
  }));
  if (!route.media?.queryIgnored) {
    const query = propertiesOf(route.schemas.query);
    for (const [name, schema] of Object.entries(query.properties)) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: 'query',
        required: query.required.includes(name) && rest.default === undefined,
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  return parameters;
}

function contentOf(media: readonly Media[], jsonSchema: JsonSchema | undefined): Record<string, JsonSchema> {
  return Object.fromEntries(
    media.map((m) => {
      if (m.kind === 'json') return [m.type ?? 'application/json', { schema: jsonSchema ?? {} }];
      if (m.kind === 'text') return [m.type, { schema: { type: 'string' } }];
      return [m.type, { schema: { type: 'string', contentMediaType: m.type.split(';')[0] } }];
    }),
  );
}

function requestBodyOf(route: DescribedRoute): Operation | undefined {
  if (route.method === 'GET' || route.method === 'DELETE') return undefined;
  if (route.media?.request) return { required: true, content: contentOf(route.media.request, undefined) };
  if (!route.schemas.body) return undefined;
  return { required: true, content: { 'application/json': { schema: jsonSchemaOf(route.schemas.body) } } };
}

function responsesOf(route: DescribedRoute): Record<string, Operation> {
  const success = route.media?.success ?? 200;
  const media = route.media?.response ?? [{ kind: 'json' }];
  const promised = route.schemas.responses?.[success];
  const responses: Record<string, Operation> = {
    [String(success)]: {
      description: route.summary,
      content: contentOf(media, promised ? jsonSchemaOf(promised) : undefined),
    },
  };
  for (const [status, description] of Object.entries(route.media?.also ?? {})) {
    const redirect = status === '303';
    const empty = status === '204';
    responses[status] = {
      description,
      ...(redirect ? { headers: { Location: { description: 'where the answer is', schema: { type: 'string', format: 'uri' } } } } : {}),
      ...(redirect || empty ? {} : { content: contentOf(media, undefined) }),
    };
  }
  const shape = route.schemas.errorShape;
  const error = shape === 'drs' ? 'DrsError' : shape === 'fhir' ? 'OperationOutcome' : 'Error';
  const errorType = shape === 'fhir' ? 'application/fhir+json' : 'application/json';
  const refusal = (description: string) => ({
    description,
    content: { [errorType]: { schema: { $ref: `#/components/schemas/${error}` } } },
  });
  const hasInput = route.schemas.body || route.schemas.path || route.schemas.query || route.media?.request;
  if (hasInput) responses['400'] = refusal('the request is not valid (each invalid field named in `details`)');
  if (route.roles) {
    responses['401'] = refusal('no bearer token, or an invalid or expired one');
    responses['403'] = refusal('none of the caller’s roles may call this route');
  }
  if (pathParameterNames(route.path).length > 0) responses['404'] = refusal('no such record, or one the caller may not see');
  responses['500'] = refusal('an internal error (no internals in the message; quote `requestId`)');
  if (route.roles) responses.default = refusal('another refusal, e.g. 409: the record is not in a state that allows this now');
  return responses;
}

function rolesText(roles: Readonly<Partial<Record<Role, Level>>>): string {
  return (Object.entries(roles) as [Role, Level][]).map(([role, level]) => `${role} (${LEVEL_WORDS[level]})`).join(', ');
}

function tagOf(path: string): string {
  if (path.startsWith('/dicomweb')) return 'DICOMweb';
  if (path.startsWith('/ga4gh')) return 'GA4GH DRS';
  if (path.startsWith('/submissions')) return 'Site intake';
  if (/^\/(quarantine|projects|releases)/.test(path)) return 'Curation';
  if (/^\/(studies|search|cohorts)/.test(path)) return 'Discovery and data';
  if (/^\/(access-requests|grants|audit)/.test(path)) return 'Access requests, grants, audit';
  return 'Service';
}

function operationOf(route: DescribedRoute): Operation {
  const description = [
    route.roles ? `Roles: ${rolesText(route.roles)}; any other role: 403.` : 'Public: no token.',
    route.media?.freeQuery ? `Query: ${route.media.freeQuery}.` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const requestBody = requestBodyOf(route);
  const parameters = parametersOf(route);
  return {
    operationId: route.id,
    summary: route.summary,
    description,
    tags: [tagOf(route.path)],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(route),
    ...(route.roles ? { 'x-hilum-roles': route.roles } : { security: [] }),
  };
}

export function buildApiDescription(input: ApiDescriptionInput): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of input.routes) {
    const item = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method]) throw new Error(`two routes for ${route.method} ${route.path}`);
    item[method] = operationOf(route);
  }
  const tags = [...new Set(input.routes.map((r) => tagOf(r.path)))].map((name) => ({ name }));
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'hilum',
      version: input.version,
      summary: 'A serverless medical imaging data commons: site intake, curation, search, access and DICOMweb',
      description:
        'Generated from the zod schemas the handlers validate with and from the access matrix (npm run openapi; a test keeps docs/openapi.json current). Every route but the public ones needs a Cognito ID token as a bearer token; who may call a route is in its description and in `x-hilum-roles` (docs/access.md).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: '{apiUrl}',
        description: 'the stack output ApiUrl (ends in /v1/), or a local commons (hilum start)',
        variables: { apiUrl: { default: 'http://127.0.0.1:3000' } },
      },
    ],
    security: [{ [SECURITY_SCHEME]: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A Cognito ID token of the commons' user pool (`hilum login`; locally `hilum token`).",
        },
      },
      schemas: {
        Error: jsonSchemaOf(input.errorBody),
        DrsError: jsonSchemaOf(input.drsErrorBody),
        OperationOutcome: jsonSchemaOf(input.operationOutcome),
      },
    },
  };
}
