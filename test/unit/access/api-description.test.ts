/**
 * docs/openapi.json, the API's OpenAPI 3.1 description: current (what the handlers' own zod
 * schemas describe), valid, one operation per route of the registry with its roles, and its
 * request schemas decide as the handlers do on bodies they accept and refuse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ZodTypeAny } from 'zod';
import { FUNCTIONS, PUBLIC_ROUTES, ROUTES } from '../../../functions/registry';
import { ROUTE_CATALOGUE } from '../../../layers/access';
import { apiDescriptionText, describedRoutes } from '../../../tools/openapi/document';
import { openApi31Problems } from '../../support/openapi-structure';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const COMMITTED = readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8');
const doc = JSON.parse(COMMITTED) as Json;
const operation = (method: string, path: string): Json => doc.paths[path]?.[method.toLowerCase()];

describe('the OpenAPI description (docs/openapi.json)', () => {
  it('is what the handlers describe now (stale: run npm run openapi)', () => {
    expect(COMMITTED).toBe(apiDescriptionText());
  });

  it('is a valid OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(openApi31Problems(doc)).toEqual([]);
  });

  it('would be refused as OpenAPI 3.1 with a 3.0 version, an unmatched path template or a dangling $ref (the check can fail)', () => {
    const broken = structuredClone(doc);
    broken.openapi = '3.0.3';
    const get = broken.paths['/submissions/{submissionId}'].get;
    get.parameters = [];
    get.responses['404'].content['application/json'].schema.$ref = '#/components/schemas/Nope';
    const problems = openApi31Problems(broken).join('\n');
    expect(problems).toContain('openapi: must be 3.1.x');
    expect(problems).toContain('GET /submissions/{submissionId}: path template {submissionId} has no path parameter');
    expect(problems).toContain('$ref #/components/schemas/Nope resolves to nothing');
  });

  it('has one operation per route of the registry, with its method, and no other', () => {
    const documented = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = [...ROUTES, ...PUBLIC_ROUTES].map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(served.sort());
    for (const route of [...ROUTES, ...PUBLIC_ROUTES]) expect(operation(route.method, route.path).operationId).toBe(route.id);
  });

  it("gives every signed-in route the bearer token and the matrix's roles, and the public ones no security", () => {
    expect(doc.components.securitySchemes.cognitoIdToken).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.security).toEqual([{ cognitoIdToken: [] }]);
    for (const route of ROUTES) {
      const op = operation(route.method, route.path);
      expect(op['x-hilum-roles']).toEqual(ROUTE_CATALOGUE[route.id].roles);
      expect(op.security).toBeUndefined();
      for (const role of Object.keys(ROUTE_CATALOGUE[route.id].roles)) expect(op.description).toContain(role);
      const [type, refusal] = Object.entries(op.responses['401'].content as Record<string, { schema: { $ref: string } }>)[0]!;
      // The FHIR Bulk Data routes refuse with an OperationOutcome, as the IG asks; every other route as hilum or DRS does.
      if (route.path.startsWith('/fhir/'))
        expect([type, refusal!.schema.$ref]).toEqual(['application/fhir+json', '#/components/schemas/OperationOutcome']);
      else
        expect([type, refusal!.schema.$ref]).toEqual([
          'application/json',
          expect.stringMatching(/^#\/components\/schemas\/(Error|DrsError)$/),
        ]);
    }
    for (const route of PUBLIC_ROUTES) {
      expect(operation(route.method, route.path).security).toEqual([]);
      expect(operation(route.method, route.path).responses['401']).toBeUndefined();
    }
    expect(operation('GET', '/health').responses['200'].content['application/json'].schema).toMatchObject({
      required: ['status', 'service', 'version'],
      additionalProperties: false,
    });
  });

  it('gives the DRS routes the DRS error body and every other route the shared Error', () => {
    expect(operation('GET', '/ga4gh/drs/v1/objects/{object_id}').responses['404'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/DrsError',
    );
    expect(operation('POST', '/submissions').responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    expect(doc.components.schemas.Error.required).toEqual(['message']);
  });

  it('names the binary media types of DICOMweb, rendered images, STOW-RS and cases.csv', () => {
    const study = '/dicomweb/studies/{study}';
    expect(Object.keys(operation('GET', `${study}/series/{series}/instances/{instance}`).responses['200'].content)).toEqual([
      'multipart/related; type="application/dicom"',
    ]);
    expect(Object.keys(operation('GET', `${study}/thumbnail`).responses['200'].content)).toContain('image/jpeg');
    expect(Object.keys(operation('GET', `${study}/metadata`).responses['200'].content)).toEqual(['application/dicom+json']);
    expect(Object.keys(operation('POST', study).requestBody.content)).toEqual(['multipart/related; type="application/dicom"']);
    expect(Object.keys(operation('PUT', '/submissions/{submissionId}/cases').requestBody.content)).toEqual(['text/csv']);
    expect(Object.keys(operation('GET', '/cohorts/{cohortId}/manifest').responses['200'].content)).toEqual([
      'application/json',
      'text/csv',
    ]);
  });

  describe('decides on request bodies as the handler does', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const routes = describedRoutes();
    const UUID = '3f2b8a1e-5c4d-4e6f-8a9b-0c1d2e3f4a5b';
    const CASES: ReadonlyArray<readonly [string, string, unknown, boolean]> = [
      ['POST', '/submissions', { project: 'lung-ct', site: 'site-a' }, true],
      ['POST', '/submissions', { project: 'lung-ct', site: 'site-a', deidentifiedAtSite: true }, true],
      ['POST', '/submissions', { project: 'Lung CT', site: 'site-a' }, false],
      ['POST', '/submissions', { project: 'lung-ct' }, false],
      ['POST', '/submissions', { project: 'lung-ct', site: 'site-a', extra: 1 }, false],
      ['POST', '/submissions/{submissionId}/uploads', { files: [{ name: 'a.dcm', size: 1024 }] }, true],
      ['POST', '/submissions/{submissionId}/uploads', { files: [] }, false],
      ['POST', '/submissions/{submissionId}/uploads', { files: [{ name: 'a.dcm', size: -1 }] }, false],
      ['POST', '/search', { facets: { modality: ['CT'] }, age: { min: 40, max: 60 }, limit: 10 }, true],
      ['POST', '/search', { facets: { colour: ['red'] } }, false],
      ['POST', '/access-requests/{requestId}/approve', { reason: 'approved by the DAC', expiresInDays: 30 }, true],
      ['POST', '/access-requests/{requestId}/approve', { reason: 'ok', expiresInDays: 0 }, false],
      ['POST', '/quarantine/{quarantineId}/release', { reason: 'checked by hand', override: ['deid.pixel-review'] }, true],
      ['PUT', '/projects/{project}/qa-config', { modalities: ['CT'], missingFileGraceHours: 12 }, true],
      ['PUT', '/projects/{project}/qa-config', { modalities: [] }, false],
      ['PUT', '/projects/{project}/qa-config', { colour: 'red' }, false],
      ['POST', '/projects', { projectId: 'lung-ct', name: 'Lung CT', availability: 'open' }, true],
      ['POST', '/projects', { projectId: 'lung-ct', name: 'Lung CT', availability: 'everyone' }, false],
    ];

    it.each(CASES)('%s %s %j: accepted %s', (method, path, body, accepted) => {
      const route = routes.find((r) => r.method === method && r.path === path)!;
      const handlerSays = (route.schemas.body as ZodTypeAny).safeParse(body).success;
      const documentSays = ajv.validate(operation(method, path).requestBody.content['application/json'].schema, body);
      expect({ handlerSays, documentSays }).toEqual({ handlerSays: accepted, documentSays: accepted });
    });

    it.each([
      ['GET', '/studies', { modality: 'CT', limit: '20' }, true],
      ['GET', '/studies', { modality: 'computed tomography' }, false],
      ['GET', '/grants', { status: 'revoked' }, true],
      ['GET', '/grants', { status: 'lost' }, false],
      ['GET', '/submissions/{submissionId}/report', { format: 'md' }, true],
    ] as const)('%s %s query %j: accepted %s', (method, path, query, accepted) => {
      const route = routes.find((r) => r.method === method && r.path === path)!;
      const handlerSays = (route.schemas.query as ZodTypeAny).safeParse(query).success;
      const parameters = operation(method, path).parameters as Json[];
      const documentSays = Object.entries(query).every(([name, value]) => {
        const parameter = parameters.find((p) => p.in === 'query' && p.name === name);
        if (!parameter) return false;
        // Query values are strings; a numeric parameter is written in decimal.
        const typed = parameter.schema.type === 'integer' || parameter.schema.type === 'number' ? Number(value) : value;
        return ajv.validate(parameter.schema, typed);
      });
      expect({ handlerSays, documentSays }).toEqual({ handlerSays: accepted, documentSays: accepted });
    });

    it('documents every path parameter with the schema the handler checks it with', () => {
      const get = operation('GET', '/submissions/{submissionId}');
      expect(get.parameters).toEqual([
        { name: 'submissionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        // The counts alone (`hilum upload --wait`'s looks).
        { name: 'files', in: 'query', required: false, schema: { type: 'string', enum: ['none'] } },
      ]);
      expect(ajv.validate(get.parameters[0].schema, UUID)).toBe(true);
      expect(ajv.validate(get.parameters[0].schema, 'not-a-uuid')).toBe(false);
    });
  });

  it('is served by a function of the registry that verifies no token', () => {
    const fns = new Set(PUBLIC_ROUTES.map((r) => r.fn));
    for (const fn of fns) expect(FUNCTIONS[fn].verifiesTokens).toBe(false);
  });
});
