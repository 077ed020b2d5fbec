import { DEFAULT_QA_CONFIG, InvalidQaConfig, loadQaConfig } from '../../../layers/qa';
import { canDecode } from '../../../layers/dicom';

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

describe('the default accepted transfer syntaxes', () => {
  const NATIVE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'];

  it('accept HTJ2K (lossless, lossless RPCL, lossy), which the pixel layer decodes', () => {
    expect(DEFAULT_QA_CONFIG.transferSyntaxes).toEqual(
      expect.arrayContaining(['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203']),
    );
  });

  it('leave out Deflated Image Frame Compression, which nothing here decodes', () => {
    expect(DEFAULT_QA_CONFIG.transferSyntaxes).not.toContain('1.2.840.10008.1.2.8.1');
    expect(canDecode('1.2.840.10008.1.2.8.1')).toBe(false);
  });

  it('are each native or decodable by the pixel layer (JPEG extended at 8 bits per sample)', () => {
    const undecodable = DEFAULT_QA_CONFIG.transferSyntaxes.filter(
      (syntax) => !NATIVE.includes(syntax) && !canDecode(syntax, { bitsStored: 8, bitsAllocated: 8 }),
    );
    expect(undecodable).toEqual([]);
  });
});
