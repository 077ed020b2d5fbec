import { intakeEventBytes } from '../../../local/intake-event-bytes';

const objectCreated = (size: unknown) =>
  JSON.stringify({ 'detail-type': 'Object Created', source: 'aws.s3', detail: { bucket: { name: 'intake' }, object: { key: 'k', size } } });
const batch = (...bodies: unknown[]) => ({ records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) });

describe("the bytes an ingest batch's event names", () => {
  it("sums the sizes of the records' Object Created events", () => {
    expect(intakeEventBytes(batch(objectCreated(10_240_000), objectCreated(526_000), objectCreated(0)))).toBe(10_766_000);
  });

  it('is unknown when any record does not say a size it can use', () => {
    expect(intakeEventBytes(batch(objectCreated(100), objectCreated(undefined)))).toBeUndefined();
    expect(intakeEventBytes(batch(objectCreated(100), objectCreated('100')))).toBeUndefined();
    expect(intakeEventBytes(batch(objectCreated(-1)))).toBeUndefined();
    expect(intakeEventBytes(batch(objectCreated(1.5)))).toBeUndefined();
    expect(intakeEventBytes(batch(objectCreated(2 ** 60)))).toBeUndefined();
    expect(intakeEventBytes(batch('{not json'))).toBeUndefined();
    expect(intakeEventBytes(batch({ detail: { object: { size: 5 } } }))).toBeUndefined(); // a body is a string
    expect(intakeEventBytes(batch(JSON.stringify(null)))).toBeUndefined();
  });

  it('is unknown for any other event', () => {
    expect(intakeEventBytes(batch())).toBeUndefined();
    expect(intakeEventBytes({ bucket: 'intake', key: 'k' })).toBeUndefined();
    expect(intakeEventBytes(JSON.parse(objectCreated(100)))).toBeUndefined();
    expect(intakeEventBytes({ records: 'none' })).toBeUndefined();
    expect(intakeEventBytes({ records: [null] })).toBeUndefined();
    expect(intakeEventBytes(null)).toBeUndefined();
    expect(intakeEventBytes(undefined)).toBeUndefined();
  });
});
