import { DEFAULT_QA_CONFIG, InvalidQaConfig, loadQaConfig } from '../../../layers/qa';

describe('QA configuration', () => {
  it('defaults to CR, DX and CT with a 24 h grace period for missing files', () => {
    expect(DEFAULT_QA_CONFIG).toMatchObject({ modalities: ['CR', 'DX', 'CT'], missingFileGraceHours: 24, rules: {} });
  });

  it('accepts MR in scope and rule severities by id', () => {
    expect(loadQaConfig({ modalities: ['CT', 'MR'], rules: { 'pixel.duplicate': 'quarantine' } })).toMatchObject({
      modalities: ['CT', 'MR'],
      rules: { 'pixel.duplicate': 'quarantine' },
    });
  });

  it('rejects unknown rule ids, unknown fields, and relaxing the parser or the verifier', () => {
    expect(() => loadQaConfig({ rules: { 'no.such-rule': 'warn' } })).toThrow(/unknown rule id\(s\) no.such-rule/);
    expect(() => loadQaConfig({ modalitees: ['CT'] })).toThrow(InvalidQaConfig);
    expect(() => loadQaConfig({ rules: { 'deid.verified': 'off' } })).toThrow(/always quarantine/);
    expect(() => loadQaConfig({ modalities: ['ct'] })).toThrow(/modality code/);
  });
});
