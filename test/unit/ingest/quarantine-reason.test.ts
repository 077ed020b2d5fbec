import { quarantineFindings, quarantineReason } from '../../../layers/ingest/quarantine-reason';

describe('quarantineReason', () => {
  it('names the blocking QA rules', () => {
    const reason = quarantineReason({
      ingest: {
        outcome: 'quarantine',
        submissionId: 's',
        fileId: 'f',
        qa: {
          outcome: 'quarantine',
          findings: [
            { ruleId: 'pixel.present', severity: 'quarantine', message: 'no Pixel Data' },
            { ruleId: 'x.warn', severity: 'warn', message: 'minor' },
          ],
        },
      },
    });
    expect(reason).toEqual({ code: 'pixel.present', message: 'pixel.present: no Pixel Data', failedAfter: 'Qa' });
  });

  it('keeps the message of hilum errors, from a Lambda-shaped cause', () => {
    const reason = quarantineReason({
      error: {
        Error: 'DicomParseError',
        Cause: JSON.stringify({ errorType: 'DicomParseError', errorMessage: 'not a DICOM Part 10 file' }),
      },
    });
    expect(reason).toEqual({ code: 'DicomParseError', message: 'DicomParseError: not a DICOM Part 10 file', failedAfter: 'start' });
  });

  it('keeps the byte counts of an inflation refusal and files it under dicom.parses', () => {
    const message = 'inflation limit: the deflated data set of a 1042929-byte file inflates to more than 104292900 bytes';
    const state = {
      error: { Error: 'InflationLimitExceeded', Cause: JSON.stringify({ errorType: 'InflationLimitExceeded', errorMessage: message }) },
    };
    const reason = quarantineReason(state);
    expect(reason).toEqual({ code: 'InflationLimitExceeded', message: `InflationLimitExceeded: ${message}`, failedAfter: 'start' });
    expect(quarantineFindings(state, reason)).toEqual([{ ruleId: 'dicom.parses', severity: 'quarantine', message: reason.message }]);
  });

  it("records a task out of memory or time as ResourceLimit, without Lambda's message", () => {
    const state = {
      error: { Error: 'Runtime.OutOfMemory', Cause: '{"errorMessage":"RequestId: 1 Error: Runtime exited with error: signal: killed"}' },
    };
    expect(quarantineReason(state)).toEqual({
      code: 'ResourceLimit',
      message: 'ResourceLimit: a task ran out of memory or time on this file twice (Runtime.OutOfMemory)',
      failedAfter: 'start',
    });
  });

  it('withholds the message of errors it does not own, which could quote a value', () => {
    const reason = quarantineReason({ error: { Error: 'TypeError', Cause: 'Cannot read DOE^JOHN' } });
    expect(reason.message).toBe('TypeError (details withheld)');
    expect(reason.message).not.toContain('DOE');
  });
});
