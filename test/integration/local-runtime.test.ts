/**
 * The local runtime's own pieces, against the real synthesized template: template
 * resolution, event-rule matching, the ASL runner's Retry/Catch, the JSON services
 * through the real SDK clients, the API server's proxy events, the local issuer, and
 * the whole runtime starting on free ports and stopping. Handlers are stubbed here
 * (through `loadHandler`) so these tests prove the runtime, not the handlers; the
 * walking-skeleton test drives the real handlers.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { FUNCTIONS, ROUTES } from '../../functions/registry';
import { issueLocalToken, LOCAL_AUDIENCE, LOCAL_ISSUER, localSubject } from '../../local/auth/local-issuer';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { checkJava, JavaNotFoundError } from '../../local/emulators/dynamodb';
import { toEventBridge } from '../../local/emulators/s3';
import { mergedFunctionEnvironment, EnvironmentConflictError } from '../../local/environment';
import { busEvent, LocalEventBus, matchesPattern } from '../../local/event-bus';
import type { Handler } from '../../local/lambda-host';
import type { CfnTemplate } from '../../local/template/cfn-template';
import { synthesizeTemplate } from '../../local/template/synthesize';
import { Resolver } from '../../local/template/intrinsics';
import { modelOf, type LocalCommonsModel, type LocalFunction } from '../../local/template/local-model';
import { WorkflowRunner } from '../../local/workflow-runner';
import { BATCHED_OBJECT_BYTES, LARGE_OBJECT_BYTES, SUBMISSION_EXPRESS_MAX_FILES } from '../../infra/constructs/pipeline';

jest.setTimeout(120_000);

let template: CfnTemplate;
/** A project key the secrets test creates and the restart test finds again. */
const RUNTIME_KEY = 'hilum/Hilum/projects/runtime/deid-key';
let model: LocalCommonsModel;

beforeAll(async () => {
  template = await synthesizeTemplate();
  model = modelOf(template);
});

const s3Event = (bucket: string, key: string, size = 3) =>
  toEventBridge({
    eventName: 'ObjectCreated:Put',
    eventTime: new Date().toISOString(),
    s3: { bucket: { name: bucket }, object: { key, size, eTag: 'abc' } },
  })!;

describe('template resolution (the real synthesized template)', () => {
  it('finds the buckets, the catalog table, every registry function and both workflows', () => {
    expect([...model.buckets.keys()].sort()).toEqual(['access-logs', 'intake', 'quarantine', 'released']);
    expect(model.buckets.get('intake')).toMatchObject({ name: 'hilum-intake', eventBridge: true });
    expect(model.buckets.get('released')).toMatchObject({ name: 'hilum-released', eventBridge: false });

    const catalog = model.tables.get('catalog');
    expect(catalog?.name).toBe('hilum-catalog');
    expect(catalog?.properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(catalog?.properties.GlobalSecondaryIndexes).toEqual([expect.objectContaining({ IndexName: 'gsi1' })]);

    for (const spec of Object.values(FUNCTIONS)) {
      expect(model.functions.get(spec.id)).toMatchObject({
        entry: spec.entry,
        name: `hilum-${spec.id}`,
        arn: `arn:aws:lambda:us-east-1:000000000000:function:hilum-${spec.id}`,
        timeoutSeconds: spec.timeoutSeconds,
      });
    }
    expect(model.functions.size).toBe(Object.keys(FUNCTIONS).length);
    expect([...model.workflows.keys()].sort()).toEqual([
      'evaluation',
      'fhir-export',
      'ingest',
      'ingest-batch',
      'ingest-large',
      'submission',
      'submission-large',
    ]);
    expect(model.workflows.get('ingest')?.type).toBe('EXPRESS');
    expect(model.workflows.get('ingest-batch')?.type).toBe('EXPRESS');
    expect(model.workflows.get('submission')?.type).toBe('EXPRESS');
    expect(model.workflows.get('submission-large')?.type).toBe('STANDARD');
    // The rule for small objects sends to the queue the pipe reads, and the pipe starts ingest-batch.
    expect(model.pipes).toEqual([
      expect.objectContaining({ targetArn: model.workflows.get('ingest-batch')?.arn, batchSize: 10, invocationType: 'FIRE_AND_FORGET' }),
    ]);
    expect(model.queues.has(model.pipes[0]!.sourceArn)).toBe(true);
    expect(model.workflows.get('ingest-large')?.type).toBe('STANDARD');
    expect(model.buses.get('pipeline')?.name).toBe('hilum-pipeline');
    // Project de-identification keys are created at run time (POST /projects), not declared in the template.
    expect(model.secrets.has('deid')).toBe(false);
  });

  it('resolves the state machine definitions to local function ARNs with no token left', () => {
    const arns = new Set([...model.functions.values()].map((f) => f.arn));
    for (const workflow of model.workflows.values()) {
      const text = JSON.stringify(workflow.definition);
      expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
      const named = [...text.matchAll(/"FunctionName":"([^"]+)"/g)].map((m) => m[1]);
      expect(named.length).toBeGreaterThan(0);
      for (const name of named) expect(arns.has(name as string)).toBe(true);
      expect(text).toContain('arn:aws:states:::lambda:invoke');
    }
  });

  it("resolves the functions' environment to local names", () => {
    const ingestObject = model.functions.get('IngestObject') as LocalFunction;
    expect(ingestObject.environment).toMatchObject({ INTAKE_BUCKET: 'hilum-intake', CATALOG_TABLE: 'hilum-catalog' });
    expect(ingestObject.environment.EVENT_BUS_NAME).toBe('hilum-pipeline');
    expect(ingestObject.environment.DEID_KEY_PREFIX).toBe('hilum/Hilum');
    expect(model.functions.get('SaveProject')?.environment.DEID_KEY_KMS_KEY_ARN).toMatch(
      /^arn:aws:kms:us-east-1:000000000000:key\/local-key-/,
    );
    expect(ingestObject.environment.DEID_KEY_KMS_KEY_ARN).toBeUndefined();
  });

  it('resolves Sub, Select, Split, Join, GetAtt and pseudo parameters', () => {
    const fixture: CfnTemplate = {
      Resources: {
        Bucket: { Type: 'AWS::S3::Bucket', Metadata: { 'hilum:bucket': 'intake' } },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Metadata: { 'hilum:functionId': 'IngestObject', 'hilum:entry': 'functions/ingest/ingest-object.ts' },
        },
      },
    };
    const r = new Resolver(fixture);
    expect(r.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' })).toBe('arn:aws:s3:::hilum-intake/*');
    expect(r.resolve({ 'Fn::Sub': ['${Name}-${AWS::Region}-${Fn.Arn}', { Name: { Ref: 'Bucket' } }] })).toBe(
      'hilum-intake-us-east-1-arn:aws:lambda:us-east-1:000000000000:function:hilum-IngestObject',
    );
    expect(r.resolve({ 'Fn::Select': [1, { 'Fn::Split': ['-', { Ref: 'Bucket' }] }] })).toBe('intake');
    expect(r.resolve({ 'Fn::Join': ['.', [{ Ref: 'AWS::AccountId' }, { Ref: 'AWS::URLSuffix' }]] })).toBe('000000000000.amazonaws.com');
    expect(r.resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] })).toBe('arn:aws:s3:::hilum-intake');
    expect(r.resolve({ a: { Ref: 'AWS::NoValue' }, b: 1 })).toEqual({ b: 1 });
    expect(() => r.resolve({ Ref: 'Missing' })).toThrow(/unknown resource Missing/);
  });

  it("merges the functions' environments and fails loudly on a conflicting variable", () => {
    const env = mergedFunctionEnvironment(model.functions.values());
    expect(env).toMatchObject({ INTAKE_BUCKET: 'hilum-intake', RELEASED_BUCKET: 'hilum-released', QUARANTINE_BUCKET: 'hilum-quarantine' });
    expect(env.POWERTOOLS_SERVICE_NAME).toBeUndefined(); // per function: set while its module is imported
    const a = model.functions.get('IngestObject') as LocalFunction;
    const b = { ...a, id: 'Other', environment: { ...a.environment, INTAKE_BUCKET: 'elsewhere' } };
    expect(() => mergedFunctionEnvironment([a, b])).toThrow(EnvironmentConflictError);
    expect(() => mergedFunctionEnvironment([a, b])).toThrow(/INTAKE_BUCKET .* IngestObject .* Other/);
  });
});

describe('event bus against the real rules', () => {
  const started: Array<{ arn: string; input: unknown }> = [];
  let bus: LocalEventBus;
  beforeAll(() => {
    bus = new LocalEventBus({
      rules: model.rules,
      buses: [...model.buses.values()].map((b) => b.name),
      startTarget: (arn, input) => void started.push({ arn, input }),
    });
  });
  beforeEach(() => {
    started.length = 0;
  });

  it("sends an intake/ object created in the intake bucket to the ingest queue, the batch pipe's source, with the event as input", async () => {
    const event = s3Event('hilum-intake', 'intake/sub-1/file-1');
    expect(bus.put(event).matchedRules).toHaveLength(1);
    await bus.tracker.idle();
    expect(started).toEqual([{ arn: model.pipes[0]!.sourceArn, input: event }]);
  });

  it('starts the per-object Express workflow from BATCHED_OBJECT_BYTES, the Standard twin from LARGE_OBJECT_BYTES (an Express execution ends at 5 minutes)', async () => {
    const large = s3Event('hilum-intake', 'intake/sub-1/file-2', LARGE_OBJECT_BYTES);
    const justBelow = s3Event('hilum-intake', 'intake/sub-1/file-3', LARGE_OBJECT_BYTES - 1);
    const mid = s3Event('hilum-intake', 'intake/sub-1/file-4', BATCHED_OBJECT_BYTES);
    const batched = s3Event('hilum-intake', 'intake/sub-1/file-5', BATCHED_OBJECT_BYTES - 1);
    for (const e of [large, justBelow, mid, batched]) expect(bus.put(e).matchedRules).toHaveLength(1);
    await bus.tracker.idle();
    expect(started).toEqual([
      { arn: model.workflows.get('ingest-large')?.arn, input: large },
      { arn: model.workflows.get('ingest')?.arn, input: justBelow },
      { arn: model.workflows.get('ingest')?.arn, input: mid },
      { arn: model.pipes[0]!.sourceArn, input: batched },
    ]);
  });

  it('starts nothing for work/ objects, other buckets, or deletions', async () => {
    expect(bus.put(s3Event('hilum-intake', 'work/sub-1/file-1.dcm')).matchedRules).toEqual([]);
    expect(bus.put(s3Event('hilum-released', 'intake/sub-1/file-1')).matchedRules).toEqual([]);
    expect(
      bus.put(
        busEvent({
          source: 'aws.s3',
          detailType: 'Object Deleted',
          detail: { bucket: { name: 'hilum-intake' }, object: { key: 'intake/a/b' } },
        }),
      ).matchedRules,
    ).toEqual([]);
    await bus.tracker.idle();
    expect(started).toEqual([]);
  });

  it('starts the submission workflow for Submission Ready on the pipeline bus only: Express up to the limit, else Standard', async () => {
    const ready = (fileCount: number, redrive: boolean) =>
      busEvent({ source: 'hilum.pipeline', detailType: 'Submission Ready', detail: { submissionId: 's-1', fileCount, redrive } });
    const small = ready(SUBMISSION_EXPRESS_MAX_FILES, false);
    const large = ready(SUBMISSION_EXPRESS_MAX_FILES + 1, false);
    const reannounced = ready(2, true);
    expect(bus.put(small, 'default').matchedRules).toEqual([]);
    for (const event of [small, large, reannounced])
      expect(bus.put(event, 'arn:aws:events:us-east-1:000000000000:event-bus/hilum-pipeline').matchedRules).toHaveLength(1);
    await bus.tracker.idle();
    expect(started).toEqual([
      { arn: model.workflows.get('submission')?.arn, input: small },
      { arn: model.workflows.get('submission-large')?.arn, input: large },
      { arn: model.workflows.get('submission-large')?.arn, input: reannounced },
    ]);
    expect(() => bus.put(small, 'no-such-bus')).toThrow(/does not exist/);
  });

  it('supports the pattern features CDK emits', () => {
    const event = { source: 'x', detail: { n: 5, key: 'intake/a', tags: ['a', 'b'], nil: null } };
    expect(matchesPattern({ detail: { key: [{ prefix: 'intake/' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { key: [{ suffix: '/a' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: false }], key: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { key: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesPattern({ source: [{ 'anything-but': ['y', 'z'] }] }, event)).toBe(true);
    expect(matchesPattern({ source: [{ 'anything-but': 'x' }] }, event)).toBe(false);
    expect(matchesPattern({ detail: { tags: ['b'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { nil: [null] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 1, '<=', 5] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { other: { deeper: ['x'] } } }, event)).toBe(false);
  });
});

describe('workflow runner (a toy definition)', () => {
  const definition = {
    StartAt: 'Flaky',
    States: {
      Flaky: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'flaky', 'Payload.$': '$' },
        ResultSelector: { 'Payload.$': '$.Payload' },
        ResultPath: '$.flaky',
        Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Quarantine' }],
        Next: 'Check',
      },
      Check: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'check', Payload: { 'key.$': '$.key', nested: { 'flaky.$': '$.flaky.Payload.ok' } } },
        ResultSelector: { 'Payload.$': '$.Payload' },
        ResultPath: '$.check',
        Catch: [
          { ErrorEquals: ['VerificationFailed'], ResultPath: '$.error', Next: 'Quarantine' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Broken' },
        ],
        End: true,
      },
      Quarantine: { Type: 'Pass', Result: 'quarantined', ResultPath: '$.outcome', End: true },
      Broken: { Type: 'Fail', Error: 'Broken', Cause: 'unexpected error' },
    },
  };

  function runnerWith(behaviour: { flakyFailures: number; flakyError?: string; checkError?: string }) {
    const calls: string[] = [];
    let flakyCalls = 0;
    const logs: string[] = [];
    const runner = new WorkflowRunner({
      retryIntervalMs: 1,
      log: (m) => logs.push(m),
      invokeLambda: async (fn, payload) => {
        calls.push(fn);
        const fail = (name: string) => Object.assign(new Error(`${fn} failed`), { name });
        if (fn === 'flaky' && ++flakyCalls <= behaviour.flakyFailures) throw fail(behaviour.flakyError ?? 'TransientError');
        if (fn === 'check' && behaviour.checkError) throw fail(behaviour.checkError);
        return { ok: fn, echo: payload };
      },
    });
    runner.register({ id: 'toy', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:toy', name: 'toy', definition });
    return { runner, calls, logs };
  }

  it('retries a transient error and then succeeds', async () => {
    const { runner, calls } = runnerWith({ flakyFailures: 2 });
    const record = await runner.run('toy', { key: 'intake/a/b' });
    expect(record.status).toBe('SUCCEEDED');
    expect(calls).toEqual(['flaky', 'flaky', 'flaky', 'check']);
    expect(record.history.filter((h) => h.event === 'retried')).toHaveLength(2);
    expect(record.output).toMatchObject({ key: 'intake/a/b', flaky: { Payload: { ok: 'flaky' } } });
    // Nested Parameters are resolved (they are not when the definition comes from another realm).
    expect(record.output).toMatchObject({ check: { Payload: { ok: 'check', echo: { key: 'intake/a/b', nested: { flaky: 'flaky' } } } } });
  });

  it('routes to the catcher once the retries are exhausted, with the error name', async () => {
    const { runner, calls } = runnerWith({ flakyFailures: 5 });
    const record = await runner.run('toy', { key: 'k' });
    expect(calls).toEqual(['flaky', 'flaky', 'flaky']); // 1 + MaxAttempts 2
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({ outcome: 'quarantined', error: { Error: 'TransientError' } });
  });

  it('does not retry a non-transient error, and the catcher matching its name wins', async () => {
    const { runner, calls } = runnerWith({ flakyFailures: 0, checkError: 'VerificationFailed' });
    const record = await runner.run('toy', { key: 'k' });
    expect(calls).toEqual(['flaky', 'check']);
    expect(record.output).toMatchObject({ outcome: 'quarantined', error: { Error: 'VerificationFailed' } });
  });

  it('records and logs a failed execution with its error name and state, never its data', async () => {
    const { runner, logs } = runnerWith({ flakyFailures: 0, checkError: 'TypeError' });
    const record = await runner.run('toy', { key: 'k', patientName: 'DOE^JANE' });
    expect(record).toMatchObject({ status: 'FAILED', error: { name: 'Broken', state: 'Broken' } });
    expect(logs).toEqual([expect.stringMatching(/toy execution .* FAILED: Broken in state Broken/)]);
    expect(logs.join('\n')).not.toContain('DOE^JANE');
  });

  it('runs executions concurrently and idle() waits for all of them', async () => {
    const { runner } = runnerWith({ flakyFailures: 0 });
    for (let i = 0; i < 5; i += 1) runner.start('toy', { key: `k${i}` });
    expect(runner.executions().filter((e) => e.status === 'RUNNING')).toHaveLength(5);
    await runner.idle();
    expect(runner.executions().map((e) => e.status)).toEqual(Array(5).fill('SUCCEEDED'));
  });
});

describe('local issuer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-issuer-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('issues Cognito-like ID tokens without a running commons, with one persisted key', async () => {
    const token = await issueLocalToken({ dataDir: dir, username: 'curator-1', groups: ['curator'], ttlSeconds: 60 });
    const again = await issueLocalToken({ dataDir: dir, username: 'curator-1', groups: ['curator'] });
    expect(decodeProtectedHeader(token)).toEqual(decodeProtectedHeader(again));
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    const stored = JSON.parse(await readFile(join(dir, 'auth', 'signing-key.json'), 'utf8')) as { kid: string };
    expect(decodeProtectedHeader(token).kid).toBe(stored.kid);
    expect(localSubject('curator-1')).toBe(localSubject('curator-1'));
    expect(localSubject('curator-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;
  const seen: Array<{ fn: string; event: unknown }> = [];
  const stub =
    (fn: LocalFunction): Handler =>
    async (event, context) => {
      seen.push({ fn: fn.id, event });
      if (fn.id === 'IngestObject') return { outcome: 'already-handled', submissionId: 's', fileId: 'f' };
      if (fn.id === 'IngestBatch') {
        const { records } = event as { records: { body: string }[] };
        return {
          items: records.map((r) => ({
            ...(JSON.parse(r.body) as object),
            ingest: { outcome: 'already-handled', submissionId: 's', fileId: 'f' },
          })),
        };
      }
      if (fn.id === 'ListStudies') {
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json', 'x-function': context.functionName },
          body: JSON.stringify({ remaining: context.getRemainingTimeInMillis() > 0 }),
        };
      }
      if (fn.id === 'StudyFiles')
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/octet-stream' },
          body: Buffer.from([0, 1, 2]).toString('base64'),
          isBase64Encoded: true,
        };
      if (fn.id === 'GetSubmission') throw new Error('boom');
      return { statusCode: 201, body: JSON.stringify({ ok: true }) };
    };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-local-runtime-'));
    commons = await startLocalCommons({ dataDir, reset: true, template, loadHandler: stub, retryIntervalMs: 1 });
  });
  afterAll(async () => {
    await commons?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts on free ports with the template's buckets and table, and points the SDK at them", async () => {
    for (const url of [commons.apiUrl, commons.s3Endpoint, commons.dynamodbEndpoint, commons.servicesEndpoint]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(commons.buckets).toEqual({ intake: 'hilum-intake', quarantine: 'hilum-quarantine', released: 'hilum-released' });
    expect(process.env).toMatchObject({
      AWS_ENDPOINT_URL_S3: commons.s3Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: commons.dynamodbEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: commons.servicesEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: commons.servicesEndpoint,
      INTAKE_BUCKET: 'hilum-intake',
      CATALOG_TABLE: 'hilum-catalog',
      AUTH_ISSUER: LOCAL_ISSUER,
      AUTH_AUDIENCE: LOCAL_AUDIENCE,
      AUTH_JWKS_URL: `${commons.apiUrl}/.well-known/jwks.json`,
      HILUM_LOCAL: 'true',
    });
    // A client configured from the environment alone (as the handlers' are) reaches DynamoDB Local.
    const table = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: commons.tableName }));
    expect(table.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['gsi1']);
  });

  it('puts events, and creates, versions and reads a project key through the real SDK clients', async () => {
    const events = new EventBridgeClient({ endpoint: commons.servicesEndpoint, region: 'us-east-1', credentials: commons.credentials });
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: commons.eventBusName,
            Source: 'hilum.pipeline',
            DetailType: 'Submission Ready',
            Detail: JSON.stringify({ submissionId: 's-1', fileCount: 1, redrive: false }),
          },
          { EventBusName: commons.eventBusName, Source: 'hilum.pipeline', DetailType: 'Submission Ready', Detail: 'not json' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]?.EventId).toEqual(expect.any(String));
    expect(put.Entries?.[1]?.ErrorCode).toBe('MalformedDetail');
    await commons.idle();
    expect(commons.executions().filter((e) => e.workflow === 'submission')).toHaveLength(1);
    events.destroy();

    const secrets = new SecretsManagerClient({ endpoint: commons.servicesEndpoint, region: 'us-east-1', credentials: commons.credentials });
    const created = await secrets.send(
      new CreateSecretCommand({ Name: RUNTIME_KEY, SecretString: 'a'.repeat(64), KmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/k' }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:hilum\/Hilum\/projects\/runtime\/deid-key-[0-9a-f]{6}$/,
    );
    await expect(secrets.send(new CreateSecretCommand({ Name: RUNTIME_KEY, SecretString: 'c'.repeat(64) }))).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
    for (const id of [RUNTIME_KEY, created.ARN!]) {
      expect(await secrets.send(new GetSecretValueCommand({ SecretId: id }))).toMatchObject({
        SecretString: 'a'.repeat(64),
        VersionId: created.VersionId,
        VersionStages: ['AWSCURRENT'],
      });
    }
    const rotated = await secrets.send(new PutSecretValueCommand({ SecretId: RUNTIME_KEY, SecretString: 'b'.repeat(64) }));
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: RUNTIME_KEY }))).VersionIdsToStages).toEqual({
      [created.VersionId!]: ['AWSPREVIOUS'],
      [rotated.VersionId!]: ['AWSCURRENT'],
    });
    // A submission pinned to the first version still reads it by VersionId.
    expect(await secrets.send(new GetSecretValueCommand({ SecretId: RUNTIME_KEY, VersionId: created.VersionId }))).toMatchObject({
      SecretString: 'a'.repeat(64),
    });
    expect(await secrets.send(new GetSecretValueCommand({ SecretId: RUNTIME_KEY }))).toMatchObject({
      SecretString: 'b'.repeat(64),
      VersionId: rotated.VersionId,
    });
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'hilum/nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    secrets.destroy();
  });

  it('starts the ingest-batch workflow (the synthesized definition) through the queue and the pipe for an intake/ upload, not for a work/ one', async () => {
    const s3 = new S3Client({
      endpoint: commons.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: commons.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const before = commons.executions().length;
    await s3.send(new PutObjectCommand({ Bucket: commons.buckets.intake, Key: 'work/sub-1/file-1.dcm', Body: Buffer.from('abc') }));
    await s3.send(new PutObjectCommand({ Bucket: commons.buckets.intake, Key: 'intake/sub-1/file-1', Body: Buffer.from('abc') }));
    await commons.idle();
    s3.destroy();

    const runs = commons.executions().slice(before);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      workflow: 'ingest-batch',
      status: 'SUCCEEDED',
      input: [expect.objectContaining({ eventSource: 'aws:sqs' })],
    });
    const records = seen.filter((s) => s.fn === 'IngestBatch').at(-1)?.event as { records: { body: string }[] };
    expect(records.records.map((r) => JSON.parse(r.body) as unknown)).toMatchObject([
      {
        source: 'aws.s3',
        'detail-type': 'Object Created',
        detail: { bucket: { name: 'hilum-intake' }, object: { key: 'intake/sub-1/file-1', size: 3 }, reason: 'PutObject' },
      },
    ]);
    const work = commons.events().find((e) => (e.event.detail as { object?: { key?: string } }).object?.key === 'work/sub-1/file-1.dcm');
    expect(work?.matchedRules).toEqual([]);
  });

  it('converts copies and multipart uploads to Object Created events with their reason', async () => {
    const s3 = new S3Client({
      endpoint: commons.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: commons.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const Bucket = commons.buckets.intake;
    await s3.send(new PutObjectCommand({ Bucket, Key: 'work/copy/a', Body: Buffer.from('abc') }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'work/copy/b', CopySource: `${Bucket}/work/copy/a` }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'work/multi/c' }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket, Key: 'work/multi/c', UploadId, PartNumber: 1, Body: Buffer.from('multipart') }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'work/multi/c',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await commons.idle();
    s3.destroy();
    const reasonOf = (key: string) =>
      commons
        .events()
        .map((e) => e.event.detail as { object?: { key?: string }; reason?: string })
        .find((d) => d.object?.key === key)?.reason;
    expect(reasonOf('work/copy/b')).toBe('CopyObject');
    expect(reasonOf('work/multi/c')).toBe('CompleteMultipartUpload');
  });

  it('serves the routes as API Gateway proxy events, with 404, 405, 502 and binary bodies', async () => {
    const res = await fetch(`${commons.apiUrl}/studies?modality=CT&modality=MR&site=a`, {
      headers: { Authorization: 'Bearer t', 'X-Custom': 'v' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-function')).toBe('hilum-ListStudies');
    expect(await res.json()).toEqual({ remaining: true });
    const event = seen.filter((s) => s.fn === 'ListStudies').at(-1)?.event;
    expect(event).toMatchObject({
      resource: '/studies',
      path: '/studies',
      httpMethod: 'GET',
      headers: { Authorization: 'Bearer t', 'X-Custom': 'v' },
      queryStringParameters: { modality: 'MR', site: 'a' },
      multiValueQueryStringParameters: { modality: ['CT', 'MR'], site: ['a'] },
      pathParameters: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { stage: 'local', resourcePath: '/studies', httpMethod: 'GET', identity: { sourceIp: '127.0.0.1' } },
    });

    const files = await fetch(`${commons.apiUrl}/studies/1.2.840.1/files`);
    expect(Buffer.from(await files.arrayBuffer())).toEqual(Buffer.from([0, 1, 2]));
    expect(seen.filter((s) => s.fn === 'StudyFiles').at(-1)?.event).toMatchObject({
      pathParameters: { studyUid: '1.2.840.1' },
      resource: '/studies/{studyUid}/files',
    });

    const binary = await fetch(`${commons.apiUrl}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([255, 0]),
    });
    expect(binary.status).toBe(201);
    expect(seen.filter((s) => s.fn === 'CreateSubmission').at(-1)?.event).toMatchObject({ body: '/wA=', isBase64Encoded: true });
    await fetch(`${commons.apiUrl}/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(seen.filter((s) => s.fn === 'CreateSubmission').at(-1)?.event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });

    expect((await fetch(`${commons.apiUrl}/submissions/s-1`)).status).toBe(502);
    const missing = await fetch(`${commons.apiUrl}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: expect.any(String) });
    expect((await fetch(`${commons.apiUrl}/studies`, { method: 'DELETE' })).status).toBe(405);
    expect(ROUTES.length).toBeGreaterThan(0);
  });

  it('serves a JWKS that verifies the tokens of issueLocalToken (as the handlers check them)', async () => {
    const token = await issueLocalToken({ dataDir, username: 'site-a-uploader', groups: ['site-uploader:site-a'] });
    const jwks = createRemoteJWKSet(new URL(process.env.AUTH_JWKS_URL as string));
    const { payload } = await jwtVerify(token, jwks, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['RS256'] });
    expect(payload).toMatchObject({
      token_use: 'id',
      sub: localSubject('site-a-uploader'),
      'cognito:username': 'site-a-uploader',
      'cognito:groups': ['site-uploader:site-a'],
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(12 * 3600);
    const fromCommons = await commons.issueToken(['curator']);
    await expect(jwtVerify(fromCommons, jwks, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE })).resolves.toBeDefined();
  });

  it('refuses a second commons in the same process, stops idempotently, and keeps data for the next start', async () => {
    await expect(startLocalCommons({ dataDir, template })).rejects.toThrow(/already runs/);
    const ports = [commons.apiUrl, commons.s3Endpoint, commons.dynamodbEndpoint, commons.servicesEndpoint].map((u) =>
      Number(new URL(u).port),
    );
    await Promise.all([commons.stop(), commons.stop()]);
    for (const port of ports) expect(await isListening(port)).toBe(false);
    expect(process.env.HILUM_LOCAL).toBeUndefined();

    commons = await startLocalCommons({ dataDir, template, loadHandler: stub });
    const secrets = new SecretsManagerClient({ endpoint: commons.servicesEndpoint, region: 'us-east-1', credentials: commons.credentials });
    // Keys created before the restart are there after it, with their versions.
    expect(await secrets.send(new GetSecretValueCommand({ SecretId: RUNTIME_KEY }))).toMatchObject({ SecretString: 'b'.repeat(64) });
    expect(await secrets.send(new GetSecretValueCommand({ SecretId: RUNTIME_KEY, VersionStage: 'AWSPREVIOUS' }))).toMatchObject({
      SecretString: 'a'.repeat(64),
    });
    secrets.destroy();
    const table = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: commons.tableName }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
  });
});

describe('reset', () => {
  it('refuses to wipe a directory the local commons did not write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hilum-not-data-'));
    await writeFile(join(dir, 'thesis.tex'), 'precious');
    await expect(startLocalCommons({ dataDir: dir, reset: true, template })).rejects.toThrow(/refusing to reset .* thesis\.tex/);
    expect(await readFile(join(dir, 'thesis.tex'), 'utf8')).toBe('precious');
    await rm(dir, { recursive: true, force: true });
  });
});

describe('java check', () => {
  it('reports a missing java as a clear error telling how to install it', async () => {
    await expect(checkJava()).resolves.toMatch(/version/);
    const error = await checkJava('/nonexistent/bin/java').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JavaNotFoundError);
    expect((error as Error).message).toMatch(/was not found.*openjdk-17-jre-headless/);
  });
});

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
