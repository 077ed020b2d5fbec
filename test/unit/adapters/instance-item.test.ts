import { marshall } from '@aws-sdk/util-dynamodb';
import { instanceItem, instanceOf } from '../../../layers/adapters/aws/dynamodb/instance-item';
import type { Instance } from '../../../layers/catalog/entities';
import { releasedKey } from '../../../layers/pipeline/object-keys';
import { dynamodbItemBytes } from '../../../local/usage-meter';

const uid = (n: number) => `2.25.${String(n).repeat(39).slice(0, 39)}`;
const STUDY = uid(1);
const SERIES = uid(2);
const SOP = uid(3);

/** A CT slice's record as staging writes it from the bench's synthetic series (de-identified UIDs of 44 characters). */
const ctSlice: Instance = {
  studyUid: STUDY,
  seriesUid: SERIES,
  sopUid: SOP,
  project: 'bench',
  site: 'bench-site',
  submissionId: '01JZ7Q2N7V4X0J9M3A5C8E1G2H',
  fileId: '01JZ7Q2N7V4X0J9M3A5C8E1G2J',
  objectKey: releasedKey(STUDY, SERIES, SOP),
  size: 524_720,
  sha256: 'a'.repeat(64),
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  modality: 'CT',
  stagedAt: '2026-12-06T21:00:00.000Z',
  patientPseudonym: 'P-7f3a9c',
  instanceNumber: 12,
  frameOfReferenceUid: uid(4),
  pixelKey: '524288:3735928559',
  bodyPart: 'CHEST',
  seriesNumber: 1,
  studyYear: 2021,
  studyTime: '101500',
  patientAge: 54,
  patientSex: 'F',
  manufacturer: 'HILUM SYNTHETIC',
  pixelSpacing: [0.703125, 0.703125],
  imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
};

describe('the stored form of an instance', () => {
  it('reads back the whole instance from an item that leaves out what its key says', () => {
    const item = instanceItem(ctSlice);
    expect(item).not.toHaveProperty('studyUid');
    expect(item).not.toHaveProperty('objectKey');
    expect(instanceOf(item)).toEqual(ctSlice);
  });

  it('keeps a CT slice’s record within one write unit (1 KB), which the whole record exceeded', () => {
    const bytes = (item: Record<string, unknown>) =>
      dynamodbItemBytes(marshall(item, { removeUndefinedValues: true }) as Record<string, unknown>);
    const whole = { pk: `STUDY#${STUDY}`, sk: `INSTANCE#${SERIES}#${SOP}`, type: 'instance', ...ctSlice };
    expect(bytes(whole)).toBeGreaterThan(1024);
    expect(bytes(instanceItem(ctSlice))).toBeLessThanOrEqual(1024 - 200); // room left for descriptions, kernel, model
  });

  it('reads an item written whole before as it is, and keeps an object key that is not the derived one', () => {
    const whole = { pk: `STUDY#${STUDY}`, sk: `INSTANCE#${SERIES}#${SOP}`, type: 'instance', ...ctSlice };
    expect(instanceOf(whole)).toEqual(ctSlice);
    const elsewhere = { ...ctSlice, objectKey: 'studies/elsewhere.dcm' };
    expect(instanceItem(elsewhere)).toMatchObject({ objectKey: 'studies/elsewhere.dcm' });
    expect(instanceOf(instanceItem(elsewhere))).toEqual(elsewhere);
  });
});
