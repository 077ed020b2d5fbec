import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { FUNCTIONS, PUBLIC_ROUTES, ROUTES } from '../functions/registry';
import { applyHeapGrowth } from '../layers/adapters/heap-growth';
import { parseOrigins } from '../layers/common/cors';
import { ENV } from '../layers/common/env-names';
import { ActivityTracker } from './activity';
import { startApiServer, type ApiServer } from './api-server';
import { issueLocalToken, JWKS_PATH, LOCAL_AUDIENCE, LOCAL_ISSUER, localJwks } from './auth/local-issuer';
import { startAwsJsonServices, type AwsJsonServices } from './emulators/aws-json-services';
import { startDynamoDb, type DynamoDbEmulator } from './emulators/dynamodb';
import { startS3, type S3Emulator } from './emulators/s3';
import { loadOrCreateLocalCredentials, type LocalCredentials } from './credentials';
import { applyEnvironment, localOverrides, mergedFunctionEnvironment } from './environment';
import { busEvent, LocalEventBus, type BusEvent, type DeliveredEvent } from './event-bus';
import { FaultInjector, parseFaultOptions, type FaultOptions } from './faults';
import { functionWorkerEntry } from './function-workers';
import { LambdaHost, type LambdaHostOptions } from './lambda-host';
import { choosePorts, loadSavedPorts, portOf, savePorts } from './ports';
import type { CfnTemplate } from './template/cfn-template';
import { synthesizeTemplate } from './template/synthesize';
import { templateCacheDir } from './template/template-cache';
import { portalSite } from './portal/site';
import { modelOf, type LocalCommonsModel } from './template/local-model';
import { OBJECT_BYTES_PER_FUNCTION_THREAD } from './object-bytes-gate';
import { WorkflowRunner, type ExecutionRecord } from './workflow-runner';
import { startQueuesAndPipes } from './sqs-pipe';
import { ValidatedDefinitions } from './validated-definitions';
import type { UsageMeter } from './usage-meter';

/**
 * The whole commons on one machine: S3 (s3rver), DynamoDB (DynamoDB Local),
 * EventBridge and Secrets Manager (a small JSON-protocol server), the CDK-synthesized
 * state machines on a local ASL runner, the real handlers in this process, and the
 * REST API on localhost, all wired from the synthesized template.
 */

export interface LocalCommonsOptions {
  /** Where data persists between runs (default `.hilum`). */
  readonly dataDir?: string;
  /** Wipe `dataDir` first. */
  readonly reset?: boolean;
  /**
   * Fixed ports; 0 picks a free one. Absent: the port this data folder used last
   * (`<dataDir>/ports.json`) if it is free, else a free one (said in the log).
   */
  readonly ports?: { readonly api?: number; readonly s3?: number; readonly dynamodb?: number; readonly services?: number };
  /** Where diagnostics go; startup prints nothing itself. */
  readonly log?: (message: string) => void;
  /** A synthesized template; default: synthesize `infra/app.ts` in-process. */
  readonly template?: CfnTemplate;
  /** Replaces every Retry interval of the workflows with this many ms (tests). */
  readonly retryIntervalMs?: number;
  /** Overrides the handlers' LOG_LEVEL (e.g. 'SILENT' or 'WARN' in tests). */
  readonly handlerLogLevel?: string;
  /** Prints the handlers' Powertools metrics (EMF records on stdout, as in AWS), which POWERTOOLS_DEV turns off (`bench cost` meters them). */
  readonly handlerMetrics?: boolean;
  /** Loads handler modules (tests substitute handlers; only with functionWorkers 0); default `require` of `hilum:entry`. */
  readonly loadHandler?: LambdaHostOptions['load'];
  /**
   * Worker threads the Lambda handlers run in (local/function-workers.ts), each importing the handler
   * modules itself, as a Lambda container does; 0 (the default here): in this thread, beside the
   * emulators. `hilum start` and the ingest benches run DEFAULT_FUNCTION_WORKERS.
   */
  readonly functionWorkers?: number;
  /**
   * The intake bytes the ingest batches running at once may hold, together (local/object-bytes-gate.ts); default
   * OBJECT_BYTES_PER_FUNCTION_THREAD for each function thread (this one when `functionWorkers` is 0).
   */
  readonly objectBytesInFlight?: number;
  /**
   * Browser origins (`http://localhost:5173`) allowed by CORS, exactly: the S3 emulator's, the API's
   * preflights and the handlers' answers (`API_ORIGINS`, as context `apiOrigins` sets it in AWS);
   * default from HILUM_CORS_ORIGINS (a JSON list), else none.
   */
  readonly corsOrigins?: readonly string[];
  /**
   * The reconciler runs on the template's schedule (as in AWS); these override its interval and
   * grace, in seconds (default from HILUM_RECONCILE_SECONDS and HILUM_RECONCILE_GRACE_SECONDS), and after how
   * long it announces again a ready submission whose announcement brought no publication (HILUM_RECONCILE_STALE_SECONDS;
   * default 15 minutes, as in AWS).
   */
  readonly reconcile?: { readonly everySeconds?: number; readonly graceSeconds?: number; readonly announceStaleSeconds?: number };
  /** Fault injection: events for which this returns true are lost on the local bus (never in handlers). */
  readonly dropEvent?: (event: BusEvent, bus: string) => boolean;
  /**
   * Chaos runs: a fraction of the workflows' task invocations fail (thrown errors, timeouts) and
   * S3 "Object Created" events are duplicated or delivered late, from a seed (local/faults.ts).
   * Default from HILUM_FAULTS (`seed=7,tasks=0.1,duplicates=0.2,delays=0.2`); absent: no faults.
   */
  readonly faults?: FaultOptions;
  /**
   * Serve the built portal (`web/dist`, local/portal/build.ts) at `/` beside the API, with its
   * configuration and the local role picker's token route (local/portal/site.ts).
   */
  readonly portal?: { readonly distDir: string };
  /** Counts what AWS would bill (API requests, Lambda, S3, DynamoDB units: local/usage-meter.ts); absent: nothing counted. */
  readonly meter?: UsageMeter;
  /**
   * Replaces the batching window of the template's pipes (local/sqs-pipe.ts), in ms; default from
   * HILUM_PIPE_WINDOW_MS (the tests' global setup sets a short one), else the template's.
   */
  readonly pipeWindowMs?: number;
}

export interface LocalCommons {
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  /** The process id of DynamoDB Local's JVM when this commons started its own (the bench reads its CPU time). */
  readonly dynamodbLocalPid?: number;
  /** CPU time the S3 emulator's thread used so far (the bench's CPU per instance of the S3 emulator). */
  s3ThreadCpuUsage(): Promise<NodeJS.CpuUsage>;
  /** EventBridge and Secrets Manager (AWS JSON 1.1). */
  readonly servicesEndpoint: string;
  readonly buckets: { readonly intake: string; readonly quarantine: string; readonly released: string };
  readonly tableName: string;
  readonly eventBusName: string;
  readonly dataDir: string;
  /** The only AWS key the emulators accept (SigV4); kept in `<dataDir>/auth/aws-credentials`. */
  readonly credentials: LocalCredentials;
  /** The variables set in `process.env` for the handlers. */
  readonly environment: Readonly<Record<string, string>>;
  /** What was read from the template (resources, resolved definitions, rules). */
  readonly model: LocalCommonsModel;
  /** A local ID token (`cognito:groups` = groups), accepted by the handlers. */
  issueToken(groups: readonly string[], username?: string): Promise<string>;
  /** With `portal`: its address, with the sign-in key the role picker needs in the fragment. */
  readonly portalUrl?: string;
  /** With `portal`: the key of the local sign-in (`POST /local/token`), new at each start. */
  readonly portalSignInKey?: string;
  /** Resolves when no event is pending and no execution runs. */
  idle(): Promise<void>;
  executions(): readonly ExecutionRecord[];
  /** Events put on the buses so far, with the rules they matched. */
  events(): readonly DeliveredEvent[];
  /**
   * Puts an EventBridge event (e.g. an execution's input, to replay a delivery: EventBridge
   * delivers at least once) on a bus (default: `default`); missing envelope fields are filled.
   */
  putEvent(event: unknown, busName?: string): DeliveredEvent;
  /** Faults injected so far, by kind (empty without `faults`). */
  faultsInjected(): Readonly<Record<string, number>>;
  /** Invocations each function worker thread has been given so far (empty without `functionWorkers`). */
  functionThreads(): readonly number[];
  /** CPU time the function worker threads have used so far (zero without `functionWorkers`; the bench's CPU per instance). */
  functionThreadsCpuUsage(): Promise<NodeJS.CpuUsage>;
  /** Invokes a function by registry id (`Parse`), name or ARN. */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** Starts an execution of a workflow (`ingest`, `submission`, or ARN) in the background. */
  startExecution(workflow: string, input: unknown): ExecutionRecord;
  stop(): Promise<void>;
}

const REPO_ROOT = path.resolve(__dirname, '..');
/** A portal session lasts a working day; after it the portal asks to sign in again and returns to the page. */
const PORTAL_TOKEN_SECONDS = 8 * 60 * 60;
let running: string | undefined;

export class LocalCommonsError extends Error {
  override readonly name = 'LocalCommonsError';
}

export async function startLocalCommons(options: LocalCommonsOptions = {}): Promise<LocalCommons> {
  const dataDir = path.resolve(options.dataDir ?? '.hilum');
  if (running) {
    throw new LocalCommonsError(
      `a local commons (${running}) already runs in this process; the handlers share process.env, so stop it first`,
    );
  }
  running = dataDir;
  const log = options.log ?? (() => undefined);
  const stoppers: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`local commons: stop step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    stoppers.length = 0;
    running = undefined;
  };

  try {
    if (options.reset) await wipeDataDir(dataDir);
    await fs.mkdir(dataDir, { recursive: true });

    const credentials = await loadOrCreateLocalCredentials(dataDir);
    const ports = await choosePorts(options.ports, await loadSavedPorts(dataDir), log);
    const template = options.template ?? (await synthesizeTemplate(REPO_ROOT));
    const model = modelOf(template);
    const bucket = (role: string) => {
      const b = model.buckets.get(role);
      if (!b) throw new LocalCommonsError(`the template has no bucket with hilum:bucket=${role}`);
      return b.name;
    };
    const buckets = { intake: bucket('intake'), quarantine: bucket('quarantine'), released: bucket('released') };
    const catalog = model.tables.get('catalog');
    if (!catalog) throw new LocalCommonsError('the template has no table with hilum:table=catalog');
    const pipelineBus = model.buses.get('pipeline');
    // Fail at startup, not at first call, on a template whose functions cannot share one process.
    const functionEnvironment = mergedFunctionEnvironment(model.functions.values());
    // The functions' heap growth for every thread of this process (V8's flags are the process's), the S3
    // emulator's and the main thread's too: their small heaps were collected as often as a handler's.
    applyHeapGrowth(functionEnvironment);

    const tracker = new ActivityTracker();
    const faultOptions = options.faults ?? parseFaultOptions(process.env.HILUM_FAULTS);
    const corsOrigins = options.corsOrigins ?? parseOrigins(process.env.HILUM_CORS_ORIGINS);
    // New at each start: only who sees the printed portal address can use the role picker.
    const portalSignInKey = randomBytes(24).toString('base64url');
    let s3EndpointForPortal: string | undefined;
    const faults = faultOptions ? new FaultInjector(faultOptions, log, tracker) : undefined;
    if (faults) {
      // Never silent: a commons that fails on purpose says so.
      (options.log ?? ((message) => console.warn(`hilum local: ${message}`)))(`fault injection on: ${faults.describe()}`);
    }
    let host: LambdaHost | undefined;
    const invokeLambda = async (name: string, payload: unknown) => {
      if (!host) throw new LocalCommonsError('the lambda host is not ready');
      return (await host.invoke(name, payload)).payload;
    };
    const runner = new WorkflowRunner({
      invokeLambda,
      tracker,
      log,
      // A failed execution is never silent: without a log function it goes to stderr.
      warn: options.log ?? ((message) => console.warn(`hilum local: ${message}`)),
      ...(options.retryIntervalMs !== undefined ? { retryIntervalMs: options.retryIntervalMs } : {}),
      ...(faults ? { wrapTask: faults.wrapTask.bind(faults) } : {}),
      validated: new ValidatedDefinitions(templateCacheDir()),
      ...(options.meter ? { meter: options.meter } : {}),
      integrations: {
        'arn:aws:states:::events:putEvents': async (input) => putEventsTask(bus, input),
      },
    });
    for (const workflow of model.workflows.values()) runner.register(workflow);
    const pipeWindowMs = options.pipeWindowMs ?? (process.env.HILUM_PIPE_WINDOW_MS ? Number(process.env.HILUM_PIPE_WINDOW_MS) : undefined);
    const queues = startQueuesAndPipes(model, {
      tracker,
      log,
      ...(options.meter ? { meter: options.meter } : {}),
      ...(pipeWindowMs !== undefined ? { windowMs: pipeWindowMs } : {}),
      start: (arn, records) => {
        const record = runner.start(arn, records);
        log(`pipe: started ${record.workflow} execution ${record.name} with ${records.length} records`);
      },
    });
    const bus: LocalEventBus = new LocalEventBus({
      rules: model.rules,
      buses: [...model.buses.values()].map((b) => b.name),
      tracker,
      log,
      ...(options.dropEvent ? { drop: options.dropEvent } : {}),
      ...(options.meter ? { meter: options.meter } : {}),
      startTarget: (arn, input, { rule }) => {
        const queue = queues.byArn.get(arn);
        if (queue) {
          queue.send(JSON.stringify(input));
          return;
        }
        const record = runner.start(arn, input);
        log(`event bus: rule ${rule} started ${record.workflow} execution ${record.name}`);
      },
    });

    // The servers start together; each is registered for stop() as soon as it is up.
    const started = await Promise.allSettled([
      startS3({
        dataDir,
        buckets: model.buckets.values(),
        credentials,
        corsOrigins,
        ...(ports.s3 ? { port: ports.s3 } : {}),
        ...(options.meter ? { meter: options.meter } : {}),
        log,
        onEvent: (event) => {
          const put = (e: BusEvent) => {
            try {
              bus.put(e, 'default');
            } catch (error) {
              log(`s3: event not delivered: ${error instanceof Error ? error.name : 'Error'}`);
            }
          };
          if (faults) faults.deliver(event, put);
          else put(event);
        },
      }).then((s) => (stoppers.push(() => s.stop()), s)),
      startDynamoDb({
        dataDir,
        credentials,
        ...(ports.dynamodb ? { port: ports.dynamodb } : {}),
        ...(options.meter ? { meter: options.meter } : {}),
        log,
      }).then((d) => (stoppers.push(() => d.stop()), d)),
      startAwsJsonServices({
        dataDir,
        credentials,
        bus,
        secrets: model.secrets,
        ...(ports.services ? { port: ports.services } : {}),
        log,
      }).then((a) => (stoppers.push(() => a.stop()), a)),
      startApiServer({
        // Public routes too (GET /health, GET /openapi.json), through their function as in AWS.
        routes: [...ROUTES, ...PUBLIC_ROUTES],
        jwks: () => localJwks(dataDir),
        invoke: async (route, event: APIGatewayProxyEvent) => {
          options.meter?.apiRequest();
          return invokeLambda(FUNCTIONS[route.fn].id, event);
        },
        corsOrigins,
        ...(ports.api ? { port: ports.api } : {}),
        ...(options.portal
          ? {
              site: portalSite({
                distDir: options.portal.distDir,
                signInKey: portalSignInKey,
                issueToken: (groups, username) => issueLocalToken({ dataDir, groups, username, ttlSeconds: PORTAL_TOKEN_SECONDS }),
                s3Endpoint: () => s3EndpointForPortal,
              }),
            }
          : {}),
        log,
      }).then((a) => (stoppers.push(() => a.stop()), a)),
    ]);
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    const [s3, dynamodb, services, api] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      S3Emulator,
      DynamoDbEmulator,
      AwsJsonServices,
      ApiServer,
    ];

    s3EndpointForPortal = s3.endpoint;
    // The portal is served from the API's address and PUTs uploads straight to S3, as in AWS, where
    // the intake bucket allows the portal's CloudFront origin (infra/constructs/storage.ts uploadOrigins).
    if (options.portal) {
      const { port } = new URL(api.url);
      for (const host of ['127.0.0.1', 'localhost']) s3.allowOrigin(`http://${host}:${port}`);
    }
    await dynamodb.createTables(model.tables.values());
    await savePorts(dataDir, {
      api: portOf(api.url),
      s3: portOf(s3.endpoint),
      dynamodb: portOf(dynamodb.endpoint),
      services: portOf(services.endpoint),
    });
    // Creates the signing key now rather than racing on the first request.
    await localJwks(dataDir);

    const localVars = localOverrides(
      { s3: s3.endpoint, dynamodb: dynamodb.endpoint, services: services.endpoint, apiUrl: api.url },
      { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, jwksUrl: `${api.url}${JWKS_PATH}` },
      credentials,
    );
    const environmentVars = {
      ...functionEnvironment,
      ...(options.handlerLogLevel ? { LOG_LEVEL: options.handlerLogLevel, POWERTOOLS_LOG_LEVEL: options.handlerLogLevel } : {}),
      ...(options.handlerMetrics ? { POWERTOOLS_METRICS_DISABLED: 'false' } : {}),
      ...localVars,
      // What CDK sets on every API function from context apiOrigins (layers/common/cors.ts).
      [ENV.apiOrigins]: JSON.stringify(corsOrigins),
    };
    const restoreEnvironment = applyEnvironment(environmentVars);
    stoppers.push(restoreEnvironment);
    host = new LambdaHost({
      functions: model.functions,
      repoRoot: REPO_ROOT,
      log,
      ...(options.loadHandler ? { load: options.loadHandler } : {}),
      ...(options.meter ? { meter: options.meter } : {}),
      ...(options.functionWorkers
        ? { functionWorkers: options.functionWorkers, workerEntry: await functionWorkerEntry([...model.functions.values()]) }
        : {}),
      objectBytesInFlight: options.objectBytesInFlight ?? OBJECT_BYTES_PER_FUNCTION_THREAD * Math.max(1, options.functionWorkers ?? 0),
    });
    const hostToStop = host;
    stoppers.push(() => hostToStop.stop());

    stoppers.push(
      runSchedules(model, options.reconcile, tracker, invokeLambda, options.log ?? ((message) => console.warn(`hilum local: ${message}`))),
    );

    // Late events and queued messages still waiting after the wait below are lost, as a crash would lose them.
    if (faults) stoppers.push(() => faults.stop());
    stoppers.push(() => queues.stop());
    // Executions still running at stop() finish against closed servers and fail: wait briefly for them.
    stoppers.push(() => Promise.race([tracker.idle(), new Promise((r) => setTimeout(r, 2000).unref())]).then(() => undefined));

    const environment = Object.fromEntries(
      Object.entries(environmentVars).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'NODE_OPTIONS'),
    );
    let stopped: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      ...(dynamodb.javaPid !== undefined ? { dynamodbLocalPid: dynamodb.javaPid } : {}),
      s3ThreadCpuUsage: () => s3.threadCpuUsage(),
      servicesEndpoint: services.endpoint,
      buckets,
      tableName: catalog.name,
      eventBusName: pipelineBus?.name ?? 'default',
      dataDir,
      credentials,
      environment,
      model,
      issueToken: (groups, username) => issueLocalToken({ dataDir, groups, ...(username ? { username } : {}) }),
      ...(options.portal ? { portalUrl: `${api.url}/#local-key=${portalSignInKey}`, portalSignInKey } : {}),
      idle: () => tracker.idle(),
      executions: () => runner.executions(),
      events: () => bus.events(),
      faultsInjected: () => faults?.injected() ?? {},
      invoke: (functionId, event) => invokeLambda(functionId, event),
      functionThreads: () => hostToStop.functionThreads(),
      functionThreadsCpuUsage: () => hostToStop.functionThreadsCpuUsage(),
      putEvent: (event, busName = 'default') => bus.put(completeEvent(event), busName),
      startExecution: (workflow, input) => runner.start(workflow, input),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Runs the template's scheduled rules (`rate(...)`) on their interval, a run never overlapping the
 * previous one; the reconciler's interval and grace may be shortened (tests). Returns the stopper.
 */
function runSchedules(
  model: LocalCommonsModel,
  reconcile: LocalCommonsOptions['reconcile'],
  tracker: ActivityTracker,
  invoke: (name: string, payload: unknown) => Promise<unknown>,
  warn: (message: string) => void,
): () => void {
  const reconcileArn = model.functions.get(FUNCTIONS.reconcile.id)?.arn;
  const envSeconds = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const everySeconds = reconcile?.everySeconds ?? envSeconds('HILUM_RECONCILE_SECONDS');
  const graceSeconds = reconcile?.graceSeconds ?? envSeconds('HILUM_RECONCILE_GRACE_SECONDS');
  const announceStaleSeconds = reconcile?.announceStaleSeconds ?? envSeconds('HILUM_RECONCILE_STALE_SECONDS');
  const timers: NodeJS.Timeout[] = [];
  for (const schedule of model.schedules.filter((s) => s.enabled)) {
    for (const target of schedule.targets) {
      const isReconcile = target.arn === reconcileArn;
      const everyMs = isReconcile && everySeconds !== undefined && everySeconds > 0 ? everySeconds * 1000 : schedule.everyMs;
      const input =
        isReconcile && (graceSeconds !== undefined || announceStaleSeconds !== undefined)
          ? {
              ...(target.input as object),
              ...(graceSeconds !== undefined ? { graceSeconds } : {}),
              ...(announceStaleSeconds !== undefined ? { announceStaleSeconds } : {}),
            }
          : target.input;
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        const end = tracker.begin();
        invoke(target.arn, input)
          .catch((error: unknown) => warn(`scheduled rule ${schedule.name}: ${error instanceof Error ? error.name : 'Error'}`))
          .finally(() => {
            running = false;
            end();
          });
      }, everyMs);
      timer.unref();
      timers.push(timer);
    }
  }
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}

/** Removes a data directory, refusing one that holds anything but local-commons data. */
async function wipeDataDir(dataDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const ours = new Set(['s3', 'dynamodb', 'secrets', 'auth', 'ports.json']);
  const foreign = entries.filter((e) => !ours.has(e));
  if (foreign.length > 0) {
    throw new LocalCommonsError(
      `refusing to reset ${dataDir}: it holds ${foreign.slice(0, 3).join(', ')}, which the local commons did not write`,
    );
  }
  await fs.rm(dataDir, { recursive: true, force: true });
}

function completeEvent(event: unknown): BusEvent {
  const e = (event ?? {}) as Partial<BusEvent>;
  if (typeof e.source !== 'string' || typeof e['detail-type'] !== 'string') {
    throw new LocalCommonsError('putEvent needs an EventBridge event with source and detail-type');
  }
  return {
    ...busEvent({ source: e.source, detailType: e['detail-type'], detail: e.detail ?? {}, resources: e.resources ?? [] }),
    ...e,
  } as BusEvent;
}

/** `arn:aws:states:::events:putEvents`: the Step Functions EventBridge integration. */
function putEventsTask(bus: LocalEventBus, input: unknown): unknown {
  const entries = (input as { Entries?: unknown }).Entries;
  if (!Array.isArray(entries)) throw Object.assign(new Error('Entries is required'), { name: 'EventBridge.ValidationException' });
  const results = entries.map((raw: unknown) => {
    const e = raw as { Source?: string; DetailType?: string; Detail?: unknown; EventBusName?: string; Resources?: string[] };
    const event = busEvent({
      source: String(e.Source),
      detailType: String(e.DetailType),
      detail: typeof e.Detail === 'string' ? JSON.parse(e.Detail) : e.Detail,
      resources: e.Resources ?? [],
    });
    bus.put(event, e.EventBusName ?? 'default');
    return { EventId: event.id };
  });
  return { Entries: results, FailedEntryCount: 0 };
}
