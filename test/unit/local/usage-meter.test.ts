import { meteredAnswer, meteredRequest } from '../../../local/emulators/dynamodb';
import {
  consumedIndexUnits,
  consumedUnits,
  dynamodbCallLabel,
  dynamodbItemBytes,
  LAMBDA_PLATFORM_LOGS,
  lambdaPlatformLogLines,
  s3RequestClass,
  transactWriteKeys,
  transactWriteUnits,
  UsageMeter,
} from '../../../local/usage-meter';

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

  it("writes Lambda's START, END and REPORT lines (with the X-Ray trace) to CloudWatch Logs for each invocation", () => {
    const lines = lambdaPlatformLogLines(123.456, 2048);
    expect(lines).toEqual([
      'START RequestId: 00000000-0000-4000-8000-000000000000 Version: $LATEST\n',
      'END RequestId: 00000000-0000-4000-8000-000000000000\n',
      'REPORT RequestId: 00000000-0000-4000-8000-000000000000\tDuration: 123.46 ms\tBilled Duration: 124 ms\tMemory Size: 2048 MB\t' +
        'Max Memory Used: 180 MB\t\nXRAY TraceId: 1-6754a2c0-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t\n',
    ]);
    const meter = new UsageMeter();
    meter.lambdaInvocation('IngestObject', 2048, 123.456);
    meter.lambdaInvocation('IngestObject', 2048, 123.456);
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    expect(bytes).toBe(361);
    expect(meter.snapshot().logs[LAMBDA_PLATFORM_LOGS]).toEqual({ bytes: 2 * bytes, events: 6 });
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
      expect(JSON.parse(request.body.toString())).toEqual({ TableName: 't', Item: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'INDEXES' });
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

    it('breaks the units down by call, with the part spent on indexes and the refused requests', () => {
      const meter = new UsageMeter();
      const put = json({ TableName: 't', Item: { pk: { S: 'AUDIT#study#2.25.1' }, sk: { S: 'EVENT#2026#e1' }, gsi1pk: { S: 'AUDIT' } } });
      const request = meteredRequest(target('PutItem'), put)!;
      const indexed = {
        TableName: 't',
        CapacityUnits: 2,
        Table: { CapacityUnits: 1 },
        GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 1 } },
      };
      meteredAnswer(request, json({ ConsumedCapacity: indexed }), meter);
      meteredAnswer(request, json({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'x' }), meter);
      expect(meter.snapshot().dynamodbCalls).toEqual({
        'PutItem AUDIT/EVENT': { requests: 2, refused: 1, readUnits: 0, writeUnits: 2, indexUnits: 1 },
      });
    });

    it('records the units the front priced a transaction at instead of DynamoDB Local’s', () => {
      const meter = new UsageMeter();
      const request = meteredRequest(target('TransactWriteItems'), json({ TransactItems: [] }))!;
      expect(request.transactItems).toEqual({ TransactItems: [] });
      meteredAnswer(request, json({ ConsumedCapacity: [{ CapacityUnits: 4 }] }), meter, 10);
      expect(meter.snapshot().dynamodb.writeUnits).toBe(10);
    });
  });

  describe('the DynamoDB breakdown', () => {
    const S = (value: string) => ({ S: value });

    it('labels a call by operation, index and the kinds of item it touches, never by their ids', () => {
      expect(dynamodbCallLabel('GetItem', { Key: { pk: S('SUBMISSION#s-1'), sk: S('FILE#f-9') } })).toBe('GetItem SUBMISSION/FILE');
      expect(dynamodbCallLabel('PutItem', { Item: { pk: S('QA#SOP#2.25.1#2.25.2#2.25.3'), sk: S('CLAIM') } })).toBe('PutItem QA#SOP/CLAIM');
      expect(dynamodbCallLabel('UpdateItem', { Key: { pk: S('SUBMISSION#s-1'), sk: S('QA#FILE#f-9') } })).toBe(
        'UpdateItem SUBMISSION/QA#FILE',
      );
      expect(
        dynamodbCallLabel('Query', {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': S('PUBLISHED'), ':other': S('x') },
        }),
      ).toBe('Query gsi1 PUBLISHED');
      expect(
        dynamodbCallLabel('TransactWriteItems', {
          TransactItems: [
            { Update: { Key: { pk: S('SUBMISSION#s-1'), sk: S('SUBMISSION') } } },
            { Put: { Item: { pk: S('STUDY#2.25.1'), sk: S('INSTANCE#2.25.2#2.25.3'), size: { N: '10' } } } },
          ],
        }),
      ).toBe('TransactWriteItems [Update SUBMISSION/SUBMISSION, Put STUDY/INSTANCE]');
      // An announcement's transaction: one file item per file, counted rather than listed.
      expect(
        dynamodbCallLabel('TransactWriteItems', {
          TransactItems: [
            { Update: { Key: { pk: S('SUBMISSION#s-1'), sk: S('SUBMISSION') } } },
            ...['f-1', 'f-2', 'f-3'].map((f) => ({ Put: { Item: { pk: S('SUBMISSION#s-1'), sk: S(`FILE#${f}`) } } })),
          ],
        }),
      ).toBe('TransactWriteItems [Update SUBMISSION/SUBMISSION, 3 x Put SUBMISSION/FILE]');
      expect(
        dynamodbCallLabel('BatchGetItem', {
          RequestItems: {
            t: {
              Keys: [
                { pk: S('STUDY#2.25.1'), sk: S('STUDY') },
                { pk: S('OBJECT#1'), sk: S('OBJECT') },
                { pk: S('OBJECT#2'), sk: S('OBJECT') },
              ],
            },
          },
        }),
      ).toBe('BatchGetItem [STUDY/STUDY, 2 x OBJECT/OBJECT]');
    });

    it('adds the units every secondary index took', () => {
      expect(
        consumedIndexUnits({
          GlobalSecondaryIndexes: { a: { CapacityUnits: 1 }, b: { CapacityUnits: 2 } },
          LocalSecondaryIndexes: { c: { CapacityUnits: 0.5 } },
        }),
      ).toBe(3.5);
      expect(consumedIndexUnits([{ Table: { CapacityUnits: 1 } }])).toBe(0);
    });

    it('sizes an item as DynamoDB bills it: names and values in bytes', () => {
      expect(dynamodbItemBytes({ pk: S('abc') })).toBe(5);
      expect(dynamodbItemBytes({ n: { N: '123' }, b: { BOOL: true } })).toBe(1 + 3 + 1 + 1);
      expect(dynamodbItemBytes({ l: { L: [S('ab'), { NULL: true }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
      expect(dynamodbItemBytes({ m: { M: { k: S('v') } } })).toBe(1 + 3 + (1 + 1 + 1));
    });

    it('prices a transaction as AWS does: two units per item per KB, each item rounded up, the larger of before and after', () => {
      // Five small items: DynamoDB Local reports 4 units for the whole transaction; AWS bills 10.
      expect(transactWriteUnits(Array.from({ length: 5 }, () => ({ before: 0, after: 300 })))).toBe(10);
      expect(transactWriteUnits([{ before: 1500, after: 1510 }])).toBe(4);
      expect(transactWriteUnits([{ before: 2100, after: 0 }])).toBe(6);
      expect(transactWriteUnits([{ before: 0, after: 0 }])).toBe(2);
    });

    it('finds the key of every transaction item, a Put’s from its item with the table’s key names', () => {
      const request = {
        TransactItems: [
          { Update: { TableName: 't', Key: { pk: S('a'), sk: S('b') } } },
          { Put: { TableName: 't', Item: { pk: S('c'), sk: S('d'), other: S('e') } } },
        ],
      };
      expect(transactWriteKeys(request, () => ['pk', 'sk'])).toEqual([
        { table: 't', key: { pk: S('a'), sk: S('b') } },
        { table: 't', key: { pk: S('c'), sk: S('d') } },
      ]);
      expect(transactWriteKeys(request, () => undefined)).toBeUndefined();
    });
  });
});
