import { parseIntakeKey, intakeKey } from '../../../layers/pipeline/object-keys';

describe('intake keys', () => {
  const sub = '0b8f4c3e-5a6d-4f7e-8a9b-0c1d2e3f4a5b';
  const file = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  it('round-trips the ids hilum issues', () => {
    expect(parseIntakeKey(intakeKey(sub, file))).toEqual({ submissionId: sub, fileId: file });
  });
  it('rejects keys hilum never issued', () => {
    expect(parseIntakeKey(`intake/${sub}/${file}/extra`)).toBeUndefined();
    expect(parseIntakeKey(`work/${sub}/${file}`)).toBeUndefined();
    expect(parseIntakeKey('intake/Doe_John.dcm')).toBeUndefined();
  });
});
