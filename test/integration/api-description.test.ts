/**
 * GET /health and GET /openapi.json on a local commons (no token), and real answers of the
 * API checked against the schemas docs/openapi.json documents for them: a submission opened
 * (201) and sealed (202), and the error bodies of a 400, a 401, a 409, a DRS 404 and a FHIR 404
 * (an OperationOutcome).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import type { Handler } from '../../local/lambda-host';
import { httpHandler } from '../../layers/adapters/aws/http';
import { createProject } from '../support/projects';

jest.setTimeout(120_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = join(__dirname, '../..');

const brokenPromise = httpHandler({ responses: { 200: z.object({ id: z.string() }) } }, async function answerOffSchema() {
  return { statusCode: 200, body: { id: 42 } };
});

describe('the API description and the health check on a local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let doc: Json;
  let site: string;
  let researcher: string;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-openapi-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'SILENT',
      // DRS service-info answers with a body its promised schema refuses: the chain must not send it.
      loadHandler: (fn, absolutePath) =>
        (fn.id === 'DrsServiceInfo' ? brokenPromise : (require(absolutePath) as { handler: Handler }).handler) as Handler,
    });
    doc = JSON.parse(await readFile(join(ROOT, 'docs/openapi.json'), 'utf8')) as Json;
    ajv.addSchema({ $id: 'hilum-components', $defs: doc.components.schemas });
    site = await commons.issueToken(['site-uploader:site-a'], 'openapi-site');
    researcher = await commons.issueToken(['researcher'], 'openapi-researcher');
    await createProject(commons.apiUrl, await commons.issueToken(['curator'], 'openapi-curator'), 'openapi-open', ['site-a']);
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, token?: string, body?: unknown) {
    const response = await fetch(`${commons.apiUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Json };
  }

  /** The documented schema of an answer (`$ref`s to the components resolved by ajv). */
  function expectDocumented(method: string, template: string, status: number, body: unknown): void {
    const responses = doc.paths[template][method.toLowerCase()].responses as Json;
    const response = responses[String(status)] ?? responses.default;
    expect(response).toBeDefined();
    // application/json, or application/fhir+json on the FHIR routes: each answer has one documented type.
    const [content] = Object.values(response.content as Record<string, { schema: unknown }>);
    const schema = JSON.parse(JSON.stringify(content!.schema).replaceAll('#/components/schemas/', 'hilum-components#/$defs/'));
    const validate = ajv.compile(schema);
    const ok = validate(body);
    expect({ answer: `${method} ${template} ${status}`, errors: ok ? [] : validate.errors }).toEqual({
      answer: `${method} ${template} ${status}`,
      errors: [],
    });
  }

  it('answers GET /health without a token: up, and the version, nothing else', async () => {
    const health = await call('GET', '/health');
    expect(health).toMatchObject({ status: 200, type: 'application/json' });
    expect(health.body).toEqual({ status: 'ok', service: 'hilum', version: doc.info.version });
    expectDocumented('GET', '/health', 200, health.body);
  });

  it('serves docs/openapi.json at GET /openapi.json without a token', async () => {
    const served = await call('GET', '/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(doc);
  });

  it('answers opening and sealing a submission with the bodies the document promises', async () => {
    const opened = await call('POST', '/submissions', site, { project: 'openapi-open', site: 'site-a' });
    expect(opened.status).toBe(201);
    expectDocumented('POST', '/submissions', 201, opened.body);

    const empty = await call('POST', `/submissions/${opened.body.submissionId}/complete`, site);
    expect(empty.status).toBe(409);
    expectDocumented('POST', '/submissions/{submissionId}/complete', 409, empty.body);

    const announced = await call('POST', `/submissions/${opened.body.submissionId}/uploads`, site, {
      files: [{ name: 'a.dcm', size: 1024 }],
    });
    expect(announced.status).toBe(201);
    const sealed = await call('POST', `/submissions/${opened.body.submissionId}/complete`, site);
    expect(sealed).toMatchObject({ status: 202, body: { status: 'sealed' } });
    expectDocumented('POST', '/submissions/{submissionId}/complete', 202, sealed.body);
  });

  it('answers 500, never the body, when a handler breaks the schema its route promises', async () => {
    const broken = await call('GET', '/ga4gh/drs/v1/service-info', researcher);
    expect(broken.status).toBe(500);
    expect(broken.body).toEqual({ message: 'internal error', requestId: expect.any(String) });
  });

  it('refuses with the documented error bodies: a 400 naming each field, a 401, a DRS 404', async () => {
    const invalid = await call('POST', '/submissions', site, { project: 'Not A Slug', site: 'site-a', extra: true });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details.length).toBeGreaterThan(0);
    expectDocumented('POST', '/submissions', 400, invalid.body);

    const anonymous = await call('GET', '/releases');
    expect(anonymous.status).toBe(401);
    expectDocumented('GET', '/releases', 401, anonymous.body);

    const missing = await call('GET', '/ga4gh/drs/v1/objects/hilum:2.25.1', researcher);
    expect(missing.status).toBe(404);
    expectDocumented('GET', '/ga4gh/drs/v1/objects/{object_id}', 404, missing.body);
    expect(() => expectDocumented('GET', '/releases', 401, missing.body)).toThrow();

    // The FHIR Bulk Data routes refuse with an OperationOutcome, as the IG asks.
    const noJob = await call('GET', '/fhir/export-jobs/6f1c2b1e-8a51-4a86-9a51-0f5b8f3c2d10', researcher);
    expect(noJob).toMatchObject({ status: 404, type: 'application/fhir+json' });
    expect(noJob.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    expectDocumented('GET', '/fhir/export-jobs/{jobId}', 404, noJob.body);
    expect(() => expectDocumented('GET', '/releases', 401, noJob.body)).toThrow();
  });
});
