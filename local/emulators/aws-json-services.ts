import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { busEvent, EventBusNotFoundError, type LocalEventBus } from '../event-bus';
import { LOCAL_REGION } from '../template/names';
import type { LocalSecret } from '../template/local-model';
import { listenOnLoopback } from '../listen';
import type { LocalCredentials } from '../credentials';
import { jsonAuthError, sha256Hex, signedRequestOf, SigV4Verifier } from './sigv4';

/** Larger than any PutEvents (256 KB) or secret (64 KB) request. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * One HTTP server speaking the AWS JSON 1.1 protocol for the calls the handlers make
 * that no npm emulator serves: EventBridge PutEvents (onto the local event bus) and
 * Secrets Manager CreateSecret, DescribeSecret, GetSecretValue and PutSecretValue
 * (the per-project de-identification keys, with versions and the AWSCURRENT /
 * AWSPREVIOUS labels; secrets the template declares are generated once), kept under
 * `<dataDir>/secrets/`. The real SDK clients reach it through their endpoint setting.
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
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

interface StoredVersion {
  readonly versionId: string;
  readonly secretString: string;
  readonly createdDate: number;
  stages: string[];
}

/** A secret and its versions, as kept in one file (`file`) under `<dataDir>/secrets/`. */
interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly createdDate: number;
  readonly kmsKeyId?: string;
  readonly description?: string;
  readonly versions: StoredVersion[];
  readonly file: string;
}

type Operation = (input: Record<string, unknown>) => Promise<unknown>;

export async function startAwsJsonServices(options: AwsJsonServicesOptions): Promise<AwsJsonServices> {
  const log = options.log ?? (() => undefined);
  const secretsDir = path.join(options.dataDir, 'secrets');
  await fs.mkdir(secretsDir, { recursive: true, mode: 0o700 });
  const stored = new Map<string, StoredSecret>();
  // GetSecretValue and the others accept the name or the ARN.
  const remember = (secret: StoredSecret) => {
    stored.set(secret.arn, secret);
    stored.set(secret.name, secret);
  };
  for (const secret of options.secrets.values()) remember(await loadOrCreateSecret(secretsDir, secret));
  for (const secret of await loadCreatedSecrets(secretsDir)) remember(secret);
  const find = (input: Record<string, unknown>): StoredSecret => {
    const id = input.SecretId;
    if (typeof id !== 'string' || id === '') throw new ServiceError('InvalidParameterException', 'SecretId is required');
    const secret = stored.get(id);
    if (!secret) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  // One write at a time, so concurrent CreateSecret calls of one name see each other.
  let writes: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = writes.then(work, work);
    writes = next.catch(() => undefined);
    return next;
  };

  const operations: Record<string, Operation> = {
    'AWSEvents.PutEvents': async (input) => putEvents(options.bus, input),
    'secretsmanager.GetSecretValue': async (input) => {
      const secret = find(input);
      const version =
        input.VersionId !== undefined
          ? secret.versions.find((v) => v.versionId === input.VersionId)
          : secret.versions.find((v) => v.stages.includes(typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT'));
      if (!version) {
        throw new ServiceError(
          'ResourceNotFoundException',
          input.VersionId !== undefined
            ? "Secrets Manager can't find the specified secret value for VersionId: " + String(input.VersionId)
            : "Secrets Manager can't find the specified secret value for staging label: " + String(input.VersionStage),
        );
      }
      if (input.VersionStage !== undefined && !version.stages.includes(String(input.VersionStage))) {
        throw new ServiceError('InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.');
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        SecretString: version.secretString,
        VersionStages: version.stages,
        CreatedDate: version.createdDate,
      };
    },
    'secretsmanager.DescribeSecret': async (input) => {
      const secret = find(input);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description ? { Description: secret.description } : {}),
        ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
        CreatedDate: secret.createdDate,
        VersionIdsToStages: Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, v.stages])),
      };
    },
    'secretsmanager.CreateSecret': (input) =>
      serialized(async () => {
        const name = input.Name;
        if (typeof name !== 'string' || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name))
          throw new ServiceError('InvalidParameterException', 'Name is required and may hold only letters, digits and /_+=.@-');
        if (typeof input.SecretString !== 'string' || input.SecretString === '')
          throw new ServiceError('InvalidParameterException', 'this emulator needs SecretString');
        if (stored.has(name))
          throw new ServiceError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
        const now = Math.floor(Date.now() / 1000);
        const secret: StoredSecret = {
          arn: arn('secretsmanager', `secret:${name}-${randomBytes(3).toString('hex')}`),
          name,
          createdDate: now,
          ...(typeof input.KmsKeyId === 'string' ? { kmsKeyId: input.KmsKeyId } : {}),
          ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
          versions: [{ versionId: versionIdOf(input), secretString: input.SecretString, createdDate: now, stages: ['AWSCURRENT'] }],
          file: path.join(secretsDir, CREATED_DIR, `${createHash('sha256').update(name).digest('hex')}.json`),
        };
        await saveSecret(secret, 'wx');
        remember(secret);
        return { ARN: secret.arn, Name: secret.name, VersionId: secret.versions[0]!.versionId };
      }),
    // A new version becomes AWSCURRENT and the previous current one AWSPREVIOUS (the rotation procedure in docs/deidentification.md).
    'secretsmanager.PutSecretValue': (input) =>
      serialized(async () => {
        const secret = find(input);
        if (typeof input.SecretString !== 'string' || input.SecretString === '')
          throw new ServiceError('InvalidParameterException', 'this emulator needs SecretString');
        const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : ['AWSCURRENT'];
        const versionId = versionIdOf(input);
        if (secret.versions.some((v) => v.versionId === versionId))
          throw new ServiceError('ResourceExistsException', 'A version with this ClientRequestToken already exists.');
        if (stages.includes('AWSCURRENT')) {
          for (const v of secret.versions) v.stages = v.stages.filter((stage) => stage !== 'AWSPREVIOUS');
          for (const v of secret.versions)
            if (v.stages.includes('AWSCURRENT')) v.stages = [...v.stages.filter((stage) => stage !== 'AWSCURRENT'), 'AWSPREVIOUS'];
        }
        for (const v of secret.versions)
          v.stages = v.stages.filter((stage) => stage === 'AWSPREVIOUS' || stage === 'AWSCURRENT' || !stages.includes(stage));
        secret.versions.push({ versionId, secretString: input.SecretString, createdDate: Math.floor(Date.now() / 1000), stages });
        await saveSecret(secret);
        return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: stages };
      }),
  };

  // Every call must be signed (SigV4) with the local key, scoped to the service its target belongs to.
  const verifier = new SigV4Verifier({
    credentials: options.credentials,
    region: LOCAL_REGION,
    services: ['events', 'secretsmanager'],
    s3: false,
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      // Read before the signature can be checked: bounded, so an unsigned flood cannot fill memory.
      if (received > MAX_REQUEST_BYTES) {
        if (!res.headersSent) res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on(
      'end',
      () =>
        void (async () => {
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
            const error = auth.ok
              ? {
                  status: 400,
                  code: 'InvalidSignatureException',
                  message: `Credential should be scoped to correct service: '${scopedTo}'.`,
                }
              : jsonAuthError(auth.failure);
            reply(error.status, { __type: error.code, message: error.message }, error.code);
            return;
          }
          const operation = Object.hasOwn(operations, target) ? operations[target] : undefined;
          if (req.method !== 'POST' || !operation) {
            reply(
              400,
              { __type: 'UnknownOperationException', message: `operation ${target || '(none)'} is not served locally` },
              'UnknownOperationException',
            );
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
        }),
    );
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
    if (typeof entry.Source !== 'string' || entry.Source === '')
      return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '')
      return fail('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    if (typeof entry.Detail !== 'string')
      return fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
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

/** Secrets created through CreateSecret (one file each, named by a hash of the name). */
const CREATED_DIR = 'created';

const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:000000000000:${resource}`;

/** The SDK sends a ClientRequestToken (a UUID) as the new version's id. */
function versionIdOf(input: Record<string, unknown>): string {
  return typeof input.ClientRequestToken === 'string' && input.ClientRequestToken !== '' ? input.ClientRequestToken : randomUUID();
}

async function saveSecret(secret: StoredSecret, flag: 'w' | 'wx' = 'w'): Promise<void> {
  const { file, ...content } = secret;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  if (flag === 'wx') {
    await fs.writeFile(file, JSON.stringify(content, null, 2), { mode: 0o600, flag: 'wx' });
    return;
  }
  const temporary = `${file}.${randomUUID()}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
  await fs.rename(temporary, file);
}

async function loadCreatedSecrets(dir: string): Promise<StoredSecret[]> {
  const folder = path.join(dir, CREATED_DIR);
  let names: string[];
  try {
    names = (await fs.readdir(folder)).filter((n) => n.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return Promise.all(
    names.map(async (n) => {
      const file = path.join(folder, n);
      return { ...(JSON.parse(await fs.readFile(file, 'utf8')) as Omit<StoredSecret, 'file'>), file };
    }),
  );
}

/** A template secret's file: one version (the format before versions were kept), or the versioned one. */
function templateSecret(raw: Record<string, unknown>, secret: LocalSecret, file: string): StoredSecret {
  const versions = Array.isArray(raw.versions)
    ? (raw.versions as StoredVersion[])
    : [
        {
          versionId: String(raw.versionId),
          secretString: String(raw.secretString),
          createdDate: Number(raw.createdDate),
          stages: ['AWSCURRENT'],
        },
      ];
  return { arn: secret.arn, name: secret.name, createdDate: Number(raw.createdDate ?? versions[0]?.createdDate ?? 0), versions, file };
}

/** Generates a secret the template declares once (32 random bytes, hex) and keeps it across runs. */
async function loadOrCreateSecret(dir: string, secret: LocalSecret): Promise<StoredSecret> {
  const file = path.join(dir, `${secret.id}.json`);
  try {
    return templateSecret(JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>, secret, file);
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
  const now = Math.floor(Date.now() / 1000);
  const created: StoredSecret = {
    arn: secret.arn,
    name: secret.name,
    createdDate: now,
    versions: [{ versionId: randomUUID(), secretString, createdDate: now, stages: ['AWSCURRENT'] }],
    file,
  };
  try {
    await saveSecret(created, 'wx');
    return created;
  } catch (error) {
    // Another process created it first: theirs wins, so every process sees one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return templateSecret(JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>, secret, file);
    throw error;
  }
}
