import { meterHandlerLogs, PowertoolsLogCounter, powertoolsRecordBytes, XRAY_TRACE_ID_FIELD_BYTES } from '../../../local/handler-log-meter';
import { LAMBDA_HANDLER_LOGS, LAMBDA_METRICS_LOGS, UsageMeter } from '../../../local/usage-meter';

const record = { level: 'INFO', message: 'staged', timestamp: '2026-12-07T00:00:00.000Z', service: 'hilum-ingest-object', fileId: 'f1' };
const compact = JSON.stringify(record);
const inAws = Buffer.byteLength(compact) + 1 + XRAY_TRACE_ID_FIELD_BYTES;

describe("metering the handlers' Powertools logs", () => {
  it('counts a record at its compact size in AWS (newline and X-Ray trace id included), however it was printed', () => {
    expect(powertoolsRecordBytes(compact)).toBe(inAws);
    expect(powertoolsRecordBytes(JSON.stringify(record, null, 4))).toBe(inAws);
    expect(powertoolsRecordBytes(JSON.stringify({ ...record, xray_trace_id: '1-a-b' }))).toBe(
      Buffer.byteLength(compact) + 1 + Buffer.byteLength(',"xray_trace_id":"1-a-b"'),
    );
    expect(powertoolsRecordBytes('{"message":"no level"}')).toBeUndefined();
    expect(powertoolsRecordBytes('{ not json')).toBeUndefined();
  });

  it('takes records split across writes, compact and indented, and passes everything else through', () => {
    const counted: number[] = [];
    const counter = new PowertoolsLogCounter((bytes) => counted.push(bytes));
    const indented = JSON.stringify(record, null, 4);
    const written = `progress 1\n${compact}\n${indented}\n{"other":"json"}\ndone`;
    let passed = '';
    for (let i = 0; i < written.length; i += 7) passed += counter.push(written.slice(i, i + 7));
    expect(counted).toEqual([inAws, inAws]);
    expect(passed).toBe('progress 1\n{"other":"json"}\ndone');
  });

  it("counts a Powertools metrics (EMF) record as metrics' log ingestion, at its compact size without a trace id", () => {
    const emf = {
      _aws: {
        Timestamp: 1796631926612,
        CloudWatchMetrics: [
          { Namespace: 'hilum', Dimensions: [['service']], Metrics: [{ Name: 'AttributesDeidentified', Unit: 'Count' }] },
        ],
      },
      service: 'hilum',
      AttributesDeidentified: [25, 25, 25],
    };
    const meter = new UsageMeter();
    const stream = { write: () => true } as unknown as NodeJS.WriteStream;
    const restore = meterHandlerLogs(meter, [stream]);
    stream.write(`${JSON.stringify(emf)}\n${JSON.stringify(record)}\n`);
    restore();
    expect(meter.snapshot().logs).toEqual({
      [LAMBDA_METRICS_LOGS]: { bytes: Buffer.byteLength(JSON.stringify(emf)) + 1, events: 1 },
      [LAMBDA_HANDLER_LOGS]: { bytes: inAws, events: 1 },
    });
    expect(powertoolsRecordBytes(JSON.stringify(emf))).toBeUndefined();
  });

  it("counts the records a stream receives into the meter, keeps them off it, and restores the stream's write", () => {
    const meter = new UsageMeter();
    const received: string[] = [];
    const stream = { write: (chunk: string) => received.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
    const original = stream.write;
    const restore = meterHandlerLogs(meter, [stream]);
    stream.write(`${JSON.stringify(record, null, 4)}\n`);
    stream.write('hilum local: a line\n');
    restore();
    expect(meter.snapshot().logs[LAMBDA_HANDLER_LOGS]).toEqual({ bytes: inAws, events: 1 });
    expect(received).toEqual(['hilum local: a line\n']);
    expect(stream.write).toBe(original);
  });
});
