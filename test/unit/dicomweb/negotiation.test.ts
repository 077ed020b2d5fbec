/**
 * WADO-RS content negotiation (PS3.18 8.7.3-8.7.5): transfer syntaxes of instances,
 * representations of frames, q-values and several media ranges, and what is 406.
 */
import { negotiateDicom, negotiateFrames, parseAccept, parseFrameList } from '../../../layers/dicomweb';

const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const J2K = '1.2.840.10008.1.2.4.90';
const dicom = (ts?: string, q?: number) =>
  `multipart/related; type="application/dicom"${ts ? `; transfer-syntax=${ts}` : ''}${q !== undefined ? `; q=${q}` : ''}`;
const decodable = (syntax: string) => syntax !== JPEG_BASELINE;

describe('Accept header parsing', () => {
  it('orders media ranges by q (stable), drops q=0, keeps quoted parameters with separators', () => {
    const ranges = parseAccept('a/b; q=0.2, multipart/related; type="application/dicom; x=1, y"; q=0.9, c/d, e/f; q=0');
    expect(ranges.map((r) => [r.mediaType, r.q])).toEqual([
      ['c/d', 1],
      ['multipart/related', 0.9],
      ['a/b', 0.2],
    ]);
    expect(ranges[1]!.params.type).toBe('application/dicom; x=1, y');
    expect(parseAccept(undefined)).toEqual([{ mediaType: '*/*', params: {}, q: 1 }]);
  });
});

describe('instance transfer syntax negotiation', () => {
  it('answers the stored syntax for *, the stored syntax named, and any media range', () => {
    expect(negotiateDicom(dicom('*'), [JPEG_LOSSLESS], decodable)).toEqual([JPEG_LOSSLESS]);
    expect(negotiateDicom(dicom(JPEG_LOSSLESS), [JPEG_LOSSLESS], decodable)).toEqual([JPEG_LOSSLESS]);
    expect(negotiateDicom('*/*', [JPEG_BASELINE, IMPLICIT], decodable)).toEqual([JPEG_BASELINE, IMPLICIT]);
    expect(negotiateDicom(undefined, [J2K], decodable)).toEqual([J2K]);
  });

  it('defaults application/dicom to Explicit VR Little Endian, transcoding what is stored otherwise', () => {
    expect(negotiateDicom(dicom(), [EXPLICIT], decodable)).toEqual([EXPLICIT]);
    expect(negotiateDicom(dicom(), [JPEG_LOSSLESS, IMPLICIT], decodable)).toEqual([EXPLICIT, EXPLICIT]);
    expect(negotiateDicom(dicom(EXPLICIT), [J2K], decodable)).toEqual([EXPLICIT]);
  });

  it('is 406 (undefined) for a syntax it cannot produce: re-compression, or a stored syntax it cannot decode', () => {
    expect(negotiateDicom(dicom(JPEG_BASELINE), [EXPLICIT], decodable)).toBeUndefined();
    expect(negotiateDicom(dicom(EXPLICIT), [JPEG_BASELINE], decodable)).toBeUndefined();
    expect(negotiateDicom('application/json', [EXPLICIT], decodable)).toBeUndefined();
    expect(negotiateDicom(dicom(JPEG_LOSSLESS), [JPEG_LOSSLESS, EXPLICIT], decodable)).toBeUndefined();
  });

  it('takes the most preferred range it can meet for every instance, falling back through several', () => {
    const accept = `${dicom(JPEG_BASELINE, 1)}, ${dicom(EXPLICIT, 0.5)}, ${dicom('*', 0.1)}`;
    expect(negotiateDicom(accept, [JPEG_LOSSLESS], decodable)).toEqual([EXPLICIT]);
    expect(negotiateDicom(accept, [JPEG_BASELINE], decodable)).toEqual([JPEG_BASELINE]);
    expect(negotiateDicom(`${dicom('*', 0.1)}, ${dicom(EXPLICIT, 0.8)}`, [J2K], decodable)).toEqual([EXPLICIT]);
    expect(negotiateDicom(`${dicom('*', 0)}, ${dicom(JPEG_BASELINE)}`, [J2K], decodable)).toBeUndefined();
  });
});

describe('frame representation negotiation', () => {
  const octet = (ts?: string) => `multipart/related; type="application/octet-stream"${ts ? `; transfer-syntax=${ts}` : ''}`;

  it('answers native frames as application/octet-stream, decoding compressed ones when asked for them', () => {
    expect(negotiateFrames(octet(), EXPLICIT, decodable)).toEqual({
      form: 'native',
      mediaType: 'application/octet-stream',
      transferSyntaxUid: EXPLICIT,
    });
    expect(negotiateFrames(octet(EXPLICIT), JPEG_LOSSLESS, decodable)).toMatchObject({ form: 'native', transferSyntaxUid: EXPLICIT });
    expect(negotiateFrames(octet(), JPEG_BASELINE, decodable)).toBeUndefined();
  });

  it('answers compressed frames as stored in their media type, for that type, image/*, * or any range', () => {
    const stored = { form: 'stored', mediaType: 'image/jpeg', transferSyntaxUid: JPEG_LOSSLESS };
    expect(negotiateFrames('multipart/related; type="image/jpeg"', JPEG_LOSSLESS, decodable)).toEqual(stored);
    expect(negotiateFrames(`multipart/related; type="image/jpeg"; transfer-syntax=${JPEG_LOSSLESS}`, JPEG_LOSSLESS, decodable)).toEqual(
      stored,
    );
    expect(negotiateFrames('multipart/related; type="image/*"', JPEG_LOSSLESS, decodable)).toEqual(stored);
    expect(negotiateFrames('*/*', JPEG_LOSSLESS, decodable)).toEqual(stored);
    // application/octet-stream with transfer-syntax=* (what OHIF asks for): as stored, still octet-stream parts.
    expect(negotiateFrames(octet('*'), J2K, decodable)).toEqual({
      form: 'stored',
      mediaType: 'application/octet-stream',
      transferSyntaxUid: J2K,
    });
    expect(negotiateFrames(octet('*'), EXPLICIT, decodable)).toMatchObject({ form: 'native', mediaType: 'application/octet-stream' });
    expect(negotiateFrames('multipart/related; type="image/x-jls"', '1.2.840.10008.1.2.4.80', decodable)).toMatchObject({
      mediaType: 'image/jls',
    });
  });

  it('is 406 for a compressed type other than the stored one, or a compressed type of native frames', () => {
    expect(negotiateFrames('multipart/related; type="image/jp2"', JPEG_LOSSLESS, decodable)).toBeUndefined();
    expect(
      negotiateFrames(`multipart/related; type="image/jpeg"; transfer-syntax=${JPEG_BASELINE}`, JPEG_LOSSLESS, decodable),
    ).toBeUndefined();
    expect(negotiateFrames('multipart/related; type="image/jpeg"', EXPLICIT, decodable)).toBeUndefined();
    expect(negotiateFrames('image/png', EXPLICIT, decodable)).toBeUndefined();
  });

  it('falls back through several ranges by q', () => {
    const accept = 'multipart/related; type="image/jp2"; q=1, multipart/related; type="application/octet-stream"; q=0.5';
    expect(negotiateFrames(accept, J2K, decodable)).toMatchObject({ form: 'stored', mediaType: 'image/jp2' });
    expect(negotiateFrames(accept, JPEG_LOSSLESS, decodable)).toMatchObject({ form: 'native' });
  });
});

describe('frame lists', () => {
  it('reads comma-separated 1-based frame numbers and refuses anything else', () => {
    expect(parseFrameList('1,3,5')).toEqual([1, 3, 5]);
    expect(parseFrameList('0')).toHaveProperty('error');
    expect(parseFrameList('1,x')).toHaveProperty('error');
    expect(parseFrameList('')).toHaveProperty('error');
  });
});
