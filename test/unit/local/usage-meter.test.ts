import { meteredAnswer, meteredRequest } from '../../../local/emulators/dynamodb';
import { consumedUnits, s3RequestClass, UsageMeter } from '../../../local/usage-meter';

describe('the local usage meter', () => {
  it.each([
    ['PUT', '/hilum-intake/intake/sub/file', 'put-copy-post-list'],
    ['POST', '/hilum-intake/intake/sub/file?uploads', 'put-copy-post-list'],
    ['GET', '/hilum-intake?list-type=2&prefix=intake/', 'put-copy-post-list'],
    ['GET', '/hilum-intake', 'put-copy-post-list'],
    ['GET', '/hilum-intake/intake/sub/file', 'get-head-other'],
    ['HEAD', '/hilum-intake/intake/sub/file', 'get-head-other'],
    ['GET', '/hilum-intake/intake/sub/file?tagging', 'get-head-other'],
    ['DELETE', '/hilum-intake/intake/sub/file', 'delete'],
  ] as const)('prices %s %s as an S3 %s request', (method, url, expected) => {
    expect(s3RequestClass(method, url)).toBe(expected);
  });

  it('adds the capacity units of one table or of several', () => {
    expect(consumedUnits({ TableName: 't', CapacityUnits: 3 })).toBe(3);
    expect(consumedUnits([{ CapacityUnits: 1.5 }, { CapacityUnits: 2 }, {}])).toBe(3.5);
    expect(consumedUnits(undefined)).toBe(0);
  });

  it('bills Lambda duration rounded up to the millisecond, times the memory in GB', () => {
    const meter = new UsageMeter();
    meter.lambdaInvocation('Parse', 1024, 0.2);
    meter.lambdaInvocation('Parse', 1024, 1999.5);
    meter.lambdaInvocation('Deidentify', 2048, 500);
    const { lambda } = meter.snapshot();
    expect(lambda.Parse!.invocations).toBe(2);
    expect(lambda.Parse!.gbSeconds).toBeCloseTo(0.001 + 2.0, 9);
    expect(lambda.Deidentify!.gbSeconds).toBeCloseTo(1.0, 9);
  });

  it('counts events put by AWS services apart from hilum’s own, and snapshots do not move with the meter', () => {
    const meter = new UsageMeter();
    meter.event('aws.s3');
    meter.event('hilum.pipeline');
    const before = meter.snapshot();
    meter.event('hilum.pipeline');
    expect(before.events).toEqual({ custom: 1, service: 1 });
    expect(meter.snapshot().events).toEqual({ custom: 2, service: 1 });
  });

  describe('at the DynamoDB front', () => {
    const target = (operation: string) => `DynamoDB_20120810.${operation}`;
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));

    it('asks DynamoDB Local for the consumed capacity, and gives the caller the answer it asked for', () => {
      const meter = new UsageMeter();
      const request = meteredRequest(target('PutItem'), json({ TableName: 't', Item: { pk: { S: 'a' } } }))!;
      expect(JSON.parse(request.body.toString())).toEqual({ TableName: 't', Item: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL' });
      const answer = meteredAnswer(request, json({ Attributes: {}, ConsumedCapacity: { TableName: 't', CapacityUnits: 3 } }), meter);
      expect(JSON.parse(answer.toString())).toEqual({ Attributes: {} });
      expect(meter.snapshot().dynamodb).toEqual({ readUnits: 0, writeUnits: 3, requests: 1 });
    });

    it('leaves a request that asked for capacity as it is, and its answer too', () => {
      const meter = new UsageMeter();
      const body = json({ TableName: 't', Key: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'INDEXES' });
      const request = meteredRequest(target('GetItem'), body)!;
      expect(request.body).toBe(body);
      const reply = json({ Item: {}, ConsumedCapacity: { TableName: 't', CapacityUnits: 0.5 } });
      expect(meteredAnswer(request, reply, meter)).toBe(reply);
      expect(meter.snapshot().dynamodb.readUnits).toBe(0.5);
    });

    it('adds the units of every table of a batch, and leaves other operations unmetered', () => {
      const meter = new UsageMeter();
      const request = meteredRequest(target('BatchWriteItem'), json({ RequestItems: {} }))!;
      meteredAnswer(request, json({ UnprocessedItems: {}, ConsumedCapacity: [{ CapacityUnits: 2 }, { CapacityUnits: 4 }] }), meter);
      expect(meter.snapshot().dynamodb.writeUnits).toBe(6);
      expect(meteredRequest(target('CreateTable'), json({ TableName: 't' }))).toBeUndefined();
      expect(meteredRequest(target('PutItem'), Buffer.from('not json'))).toBeUndefined();
    });
  });
});
