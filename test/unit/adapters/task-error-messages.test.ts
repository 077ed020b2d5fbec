import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { OWN_ERROR_NAMES, TransientError, VerificationFailed } from '../../../layers/common/errors';
import { taskHandler, withoutForeignMessage } from '../../../layers/adapters/aws/task';

const ROOT = join(__dirname, '..', '..', '..');
const PLANTED = 'DOE^JOHN 19600101';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const context = {
  functionName: 'test',
  awsRequestId: 'request',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '128',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

async function failureOf(thrown: unknown): Promise<Error> {
  const handler = taskHandler(z.object({}), async () => {
    throw thrown;
  });
  try {
    await handler({}, context);
  } catch (error) {
    return error as Error;
  }
  throw new Error('the task did not fail');
}

describe('what a failed workflow task hands to Lambda and Step Functions (and so to CloudWatch Logs)', () => {
  it('lists every error name hilum declares, and nothing else', () => {
    const declared = new Set<string>();
    for (const file of [...sources(join(ROOT, 'layers')), ...sources(join(ROOT, 'functions'))]) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:readonly name(?:: string)? = |this\.name = )'([A-Za-z.]+)'/g))
        declared.add(match[1]!);
    }
    expect([...OWN_ERROR_NAMES].sort()).toEqual([...declared].sort());
  });

  it("withholds a library error's message, keeping its name, code and frames", async () => {
    const library = new TypeError(`cannot read attribute value ${PLANTED}`);
    const failure = await failureOf(library);
    expect(failure.name).toBe('TypeError');
    expect(failure.message).not.toContain('DOE');
    expect(failure.stack).not.toContain('DOE');
    expect(failure.stack).toContain('task-error-messages.test.ts');
    const system = Object.assign(new Error(`ENOENT: no such file '/data/${PLANTED}.dcm'`), { code: 'ENOENT' });
    expect((withoutForeignMessage(system) as Error).message).toBe('message withheld: Error (ENOENT) was raised outside hilum');
  });

  it("passes hilum's own errors and the AWS SDK's service errors on as thrown", async () => {
    const own = await failureOf(new VerificationFailed('the de-identified copy failed verification: no-phi'));
    expect(own.name).toBe('VerificationFailed');
    expect(own.message).toBe('the de-identified copy failed verification: no-phi');
    const sdk = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400 },
    });
    expect((await failureOf(sdk)).message).toBe('The conditional request failed');
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: {}, $metadata: {} });
    const retried = await failureOf(throttled);
    expect(retried).toBeInstanceOf(TransientError);
  });

  it('turns a thrown value that is not an Error into one without the value', async () => {
    const failure = await failureOf(PLANTED);
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).not.toContain('DOE');
  });
});
