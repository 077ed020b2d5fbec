import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { busEvent, EventBusNotFoundError, type LocalEventBus } from '../event-bus';
import { LOCAL_REGION, type LocalSecret } from '../template';
import { listenOnLoopback } from '../listen';
import type { LocalCredentials } from '../credentials';
import { jsonAuthError, sha256Hex, signedRequestOf, SigV4Verifier } from './sigv4';

/** Larger than any PutEvents (256 KB) or secret (64 KB) request. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * One HTTP server speaking the AWS JSON 1.1 protocol for the calls the handlers make
 * that no npm emulator serves: EventBridge PutEvents (onto the local event bus) and
 * Secrets Manager GetSecretValue (secrets generated once, kept under
 * `<dataDir>/secrets/`). The real SDK clients reach it through their endpoint setting.
 */

export interface AwsJsonServicesOptions {
  readonly dataDir: string;
  readonly bus: LocalEventBus;
  readonly secrets: ReadonlyMap<string, LocalSecret>;
  /** The only key accepted (SigV4, services `events` and `secretsmanager`). */
  readonly credentials: LocalCredentials;
  readonly port?: number;
  readonly log?: (message: string) => void;
}

export interface AwsJsonServices {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

class ServiceError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = code;
  }
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly secretString: string;
  readonly createdDate: number;
}

type Operation = (input: Record<string, unknown>) => Promise<unknown>;

export async function startAwsJsonServices(options: AwsJsonServicesOptions): Promise<AwsJsonServices> {
  const log = options.log ?? (() => undefined);
  const secretsDir = path.join(options.dataDir, 'secrets');
  await fs.mkdir(secretsDir, { recursive: true, mode: 0o700 });
  const stored = new Map<string, StoredSecret>();
  for (const secret of options.secrets.values()) {
    const value = await loadOrCreateSecret(secretsDir, secret);
    // GetSecretValue accepts the name or the ARN; handlers get the ARN (a Ref).
    stored.set(secret.arn, value);
    stored.set(secret.name, value);
  }

  const operations: Record<string, Operation> = {
    'AWSEvents.PutEvents': async (input) => putEvents(options.bus, input),
    'secretsmanager.GetSecretValue': async (input) => {
      const id = input.SecretId;
      if (typeof id !== 'string' || id === '') throw new ServiceError('InvalidParameterException', 'SecretId is required');
      const secret = stored.get(id);
      if (!secret) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      if (input.VersionId !== undefined && input.VersionId !== secret.versionId) {
        throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for VersionId: " + String(input.VersionId));
      }
      if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') {
        throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: " + String(input.VersionStage));
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.secretString,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.createdDate,
      };
    },
  };

  // Every call must be signed (SigV4) with the local key, scoped to the service its target belongs to.
  const verifier = new SigV4Verifier({ credentials: options.credentials, region: LOCAL_REGION, services: ['events', 'secretsmanager'], s3: false });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      // Read before the signature can be checked: bounded, so an unsigned flood cannot fill memory.
      if (received > MAX_REQUEST_BYTES) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => void (async () => {
      const requestId = randomUUID();
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (status: number, body: unknown, errorType?: string) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': Buffer.byteLength(text),
          'x-amzn-requestid': requestId,
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(text);
      };
      const auth = await verifier.verify(signedRequestOf(req), sha256Hex(Buffer.concat(chunks)));
      const scopedTo = target.startsWith('AWSEvents.') ? 'events' : 'secretsmanager';
      if (!auth.ok || auth.service !== scopedTo) {
        const error = auth.ok ? { status: 400, code: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${scopedTo}'.` } : jsonAuthError(auth.failure);
        reply(error.status, { __type: error.code, message: error.message }, error.code);
        return;
      }
      const operation = Object.hasOwn(operations, target) ? operations[target] : undefined;
      if (req.method !== 'POST' || !operation) {
        reply(400, { __type: 'UnknownOperationException', message: `operation ${target || '(none)'} is not served locally` }, 'UnknownOperationException');
        return;
      }
      let input: Record<string, unknown>;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const parsed: unknown = text ? JSON.parse(text) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        input = parsed as Record<string, unknown>;
      } catch {
        reply(400, { __type: 'SerializationException', message: 'the request body is not a JSON object' }, 'SerializationException');
        return;
      }
      operation(input).then(
        (output) => reply(200, output),
        (error: unknown) => {
          if (error instanceof ServiceError) {
            reply(error.status, { __type: error.code, message: error.message }, error.code);
          } else {
            log(`aws-json-services ${target} failed: ${error instanceof Error ? error.name : 'Error'}`);
            reply(500, { __type: 'InternalFailure', message: 'internal error' }, 'InternalFailure');
          }
        },
      );
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    }));
  });

  const { port, stop } = await listenOnLoopback(server, options.port);
  return { endpoint: `http://127.0.0.1:${port}`, port, stop };
}

function putEvents(bus: LocalEventBus, input: Record<string, unknown>) {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
    throw new ServiceError('ValidationException', 'Entries must contain between 1 and 10 entries');
  }
  let failed = 0;
  const results = entries.map((raw: unknown) => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const fail = (code: string, message: string) => {
      failed += 1;
      return { ErrorCode: code, ErrorMessage: message };
    };
    if (typeof entry.Source !== 'string' || entry.Source === '') return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return fail('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    if (typeof entry.Detail !== 'string') return fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return fail('MalformedDetail', 'Detail is malformed.');
    if (entry.Source.startsWith('aws.')) return fail('NotAuthorizedForSourceException', 'Not authorized for the source.');
    const event = busEvent({
      source: entry.Source,
      detailType: entry.DetailType,
      detail,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      // The SDK serializes Time as epoch seconds.
      ...(typeof entry.Time === 'number' ? { time: new Date(entry.Time * 1000) } : {}),
    });
    try {
      bus.put(event, typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : 'default');
    } catch (error) {
      if (error instanceof EventBusNotFoundError) return fail('ResourceNotFoundException', error.message);
      return fail('InternalFailure', 'the event could not be matched');
    }
    return { EventId: event.id };
  });
  return { FailedEntryCount: failed, Entries: results };
}

/** Generates the secret once (32 random bytes, hex) and keeps it across runs. */
async function loadOrCreateSecret(dir: string, secret: LocalSecret): Promise<StoredSecret> {
  const file = path.join(dir, `${secret.id}.json`);
  try {
    const existing = JSON.parse(await fs.readFile(file, 'utf8')) as StoredSecret;
    return { ...existing, arn: secret.arn, name: secret.name };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = randomBytes(32).toString('hex');
  const generate = secret.generate ?? {};
  // A `SecretStringTemplate` + `GenerateStringKey` secret is JSON with the generated value under that key.
  const secretString =
    typeof generate.SecretStringTemplate === 'string' && typeof generate.GenerateStringKey === 'string'
      ? JSON.stringify({ ...(JSON.parse(generate.SecretStringTemplate) as object), [generate.GenerateStringKey]: value })
      : value;
  const created: StoredSecret = {
    arn: secret.arn,
    name: secret.name,
    versionId: randomUUID(),
    secretString,
    createdDate: Math.floor(Date.now() / 1000),
  };
  try {
    await fs.writeFile(file, JSON.stringify(created, null, 2), { mode: 0o600, flag: 'wx' });
    return created;
  } catch (error) {
    // Another process created it first: theirs wins, so every process sees one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(await fs.readFile(file, 'utf8')) as StoredSecret;
    throw error;
  }
}
