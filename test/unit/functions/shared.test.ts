import { planParts } from '../../../layers/common/upload-parts';
import { parseIntakeKey, intakeKey } from '../../../layers/pipeline/object-keys';
import { quarantineFindings, quarantineReason } from '../../../layers/ingest/quarantine-reason';

describe('planParts', () => {
  it('covers the object exactly with parts of at least 8 MiB, the last one shorter', () => {
    const size = 100 * 1024 * 1024 + 17;
    const plan = planParts(size);
    expect(plan.partSize).toBe(8 * 1024 * 1024);
    expect(plan.parts.reduce((sum, p) => sum + p.size, 0)).toBe(size);
    expect(plan.parts.map((p) => p.partNumber)).toEqual(plan.parts.map((_, i) => i + 1));
    expect(plan.parts.at(-1)!.size).toBe(size - (plan.parts.length - 1) * plan.partSize);
  });

  it('stays within 10,000 parts for a 5 TiB object', () => {
    const plan = planParts(5 * 1024 ** 4);
    expect(plan.parts.length).toBeLessThanOrEqual(10_000);
    expect(plan.partSize % (1024 * 1024)).toBe(0);
  });
});

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

describe('quarantineReason', () => {
  it('names the blocking QA rules', () => {
    const reason = quarantineReason({ qa: { outcome: 'quarantine', findings: [
      { ruleId: 'pixel.present', severity: 'quarantine', message: 'no Pixel Data' },
      { ruleId: 'x.warn', severity: 'warn', message: 'minor' },
    ] } });
    expect(reason).toEqual({ code: 'pixel.present', message: 'pixel.present: no Pixel Data', failedAfter: 'Qa' });
  });

  it('keeps the message of hilum errors, from a Lambda-shaped cause', () => {
    const reason = quarantineReason({ error: { Error: 'DicomParseError', Cause: JSON.stringify({ errorType: 'DicomParseError', errorMessage: 'not a DICOM Part 10 file' }) } });
    expect(reason).toEqual({ code: 'DicomParseError', message: 'DicomParseError: not a DICOM Part 10 file', failedAfter: 'start' });
  });

  it('keeps the byte counts of an inflation refusal and files it under dicom.parses', () => {
    const message = 'inflation limit: the deflated data set of a 1042929-byte file inflates to more than 104292900 bytes';
    const state = { error: { Error: 'InflationLimitExceeded', Cause: JSON.stringify({ errorType: 'InflationLimitExceeded', errorMessage: message }) } };
    const reason = quarantineReason(state);
    expect(reason).toEqual({ code: 'InflationLimitExceeded', message: `InflationLimitExceeded: ${message}`, failedAfter: 'start' });
    expect(quarantineFindings(state, reason)).toEqual([{ ruleId: 'dicom.parses', severity: 'quarantine', message: reason.message }]);
  });

  it('records a task out of memory or time as ResourceLimit, without Lambda\'s message', () => {
    const state = { parse: { submissionId: 's', fileId: 'f', alreadyHandled: false, bytes: 1 }, error: { Error: 'Runtime.OutOfMemory', Cause: '{"errorMessage":"RequestId: 1 Error: Runtime exited with error: signal: killed"}' } };
    expect(quarantineReason(state)).toEqual({ code: 'ResourceLimit', message: 'ResourceLimit: a task ran out of memory or time on this file twice (Runtime.OutOfMemory)', failedAfter: 'Parse' });
  });

  it('withholds the message of errors it does not own, which could quote a value', () => {
    const reason = quarantineReason({ error: { Error: 'TypeError', Cause: 'Cannot read DOE^JOHN' } });
    expect(reason.message).toBe('TypeError (details withheld)');
    expect(reason.message).not.toContain('DOE');
  });
});
