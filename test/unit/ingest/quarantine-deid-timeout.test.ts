import { quarantineFindings, quarantineReason } from '../../../layers/ingest/quarantine-reason';
import { DeidentificationTimeout } from '../../../layers/dicom/errors';

describe('a file whose text cleaning ran out of time', () => {
  it('is quarantined under DeidentificationTimeout with its value-free message kept', () => {
    const error = new DeidentificationTimeout('cleaning text took longer than the time allowed for one file');
    const state = {
      deid: undefined,
      error: { Error: error.name, Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message }) },
    };
    const reason = quarantineReason(state);
    expect(reason).toEqual({
      code: 'DeidentificationTimeout',
      message: 'DeidentificationTimeout: cleaning text took longer than the time allowed for one file',
      failedAfter: 'start',
    });
    expect(quarantineFindings(state, reason)).toEqual([
      { ruleId: 'DeidentificationTimeout', severity: 'quarantine', message: reason.message },
    ]);
  });
});
