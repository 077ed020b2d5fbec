import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { S3Client, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { withFastConfig } from '../../../layers/adapters/aws/fast-client-config';

// What fast-client-config.ts relies on, asked of V8 itself: whether an object is in fast-properties mode.
setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;

const ENV_NAMES = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_EXECUTION_ENV',
  'POWERTOOLS_TRACE_ENABLED',
  'AWS_XRAY_CONTEXT_MISSING',
  'HILUM_S3_FORCE_PATH_STYLE',
] as const;

type Clients = typeof import('../../../layers/adapters/aws/clients');

/** clients.ts loaded afresh (its clients are built once per module) under `env`. */
function freshClients(env: Partial<Record<(typeof ENV_NAMES)[number], string>>): Clients {
  for (const name of ENV_NAMES) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  let clients: Clients | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    clients = require('../../../layers/adapters/aws/clients') as Clients;
  });
  return clients!;
}

/** A stand-in for S3 and DynamoDB on loopback: every request answered 200, with an empty JSON or no body. */
async function standIn(): Promise<{ server: Server; endpoint: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      requests.push(typeof target === 'string' ? target : `${request.method} ${request.url}`);
      if (typeof target === 'string') {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r' });
        response.end('{}');
      } else {
        response.writeHead(200, { etag: '"e"', 'content-length': '0', 'x-amz-request-id': 'r' });
        response.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe("an AWS SDK client's configuration in V8's fast-properties mode", () => {
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of ENV_NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('is what the SDK does not leave it in, and what withFastConfig turns the same object into, properties unchanged', () => {
    for (const client of [new S3Client({ region: 'us-east-1' }), new DynamoDBClient({ region: 'us-east-1' })]) {
      const config = client.config;
      const before = Object.entries(config);
      expect(hasFastProperties(config)).toBe(false);
      expect(withFastConfig(client)).toBe(client);
      expect(client.config).toBe(config);
      expect(hasFastProperties(config)).toBe(true);
      expect(Object.entries(config)).toEqual(before);
      client.destroy();
    }
  });

  it("is where clients.ts's clients start and stay through requests, traced or not", async () => {
    const { server, endpoint, requests } = await standIn();
    try {
      const base = {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
        AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        HILUM_S3_FORCE_PATH_STYLE: 'true',
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      };
      const local = freshClients({ ...base, POWERTOOLS_TRACE_ENABLED: 'false' });
      const inLambda = freshClients({ ...base, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' });
      for (const [clients, traced] of [
        [local, false],
        [inLambda, true],
      ] as const) {
        const s3 = clients.s3Client();
        const documents = clients.documentClient();
        // Powertools' tracer adds X-Ray's middleware only where tracing is on (in Lambda, not turned off).
        expect(s3.middlewareStack.identify().some((name) => name.startsWith('XRaySDKInstrumentation'))).toBe(traced);
        for (const config of [s3.config, documents.config, clients.eventBridgeClient().config, clients.secretsClient().config]) {
          expect(hasFastProperties(config)).toBe(true);
        }
        if (traced) continue;
        for (let i = 0; i < 5; i++) {
          await documents.send(new PutCommand({ TableName: 't', Item: { pk: `p${i}`, n: i } }));
          await s3.send(new HeadObjectCommand({ Bucket: 'b', Key: `k${i}` }));
        }
        expect(requests).toHaveLength(10);
        expect(requests.filter((r) => r === 'DynamoDB_20120810.PutItem')).toHaveLength(5);
        expect(hasFastProperties(s3.config)).toBe(true);
        expect(hasFastProperties(documents.config)).toBe(true);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
