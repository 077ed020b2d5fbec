import {
  FAILURE_REASON,
  examinePart,
  multipartBody,
  parseMultipart,
  storeInstancesResponse,
  storeStatus,
  stowBoundary,
  STOW_TOO_LARGE_MESSAGE,
} from '../../../layers/dicomweb';
import { makeDicom } from '../../support/synthetic-dicom';

const STUDY = '1.2.826.0.1.3680043.8.498.6001';
const dicom = (options: Parameters<typeof makeDicom>[0] = {}) => makeDicom({ studyInstanceUid: STUDY, ...options });
const part = (body: Uint8Array, contentType = 'application/dicom') => ({ headers: { 'content-type': contentType }, body });

describe('STOW-RS request framing', () => {
  it.each([
    ['multipart/related; type="application/dicom"; boundary="abc-1"', 'abc-1'],
    ['multipart/related; type=application/dicom; boundary=abc-2', 'abc-2'],
    ['Multipart/Related; boundary=abc-3', 'abc-3'],
  ])('takes %s', (contentType, boundary) => {
    expect(stowBoundary(contentType)).toEqual({ boundary });
  });

  it.each([
    ['no content type', undefined],
    ['a single application/dicom body', 'application/dicom'],
    ['DICOM JSON metadata with bulk data', 'multipart/related; type="application/dicom+json"; boundary=x'],
    ['multipart without a boundary', 'multipart/related; type="application/dicom"'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
  ])('refuses %s', (_what, contentType) => {
    expect(stowBoundary(contentType)).toHaveProperty('refused');
  });
});

describe('STOW-RS parts', () => {
  it('accepts a Part 10 instance and names its UIDs', () => {
    const bytes = dicom({ seriesInstanceUid: `${STUDY}.1`, sopInstanceUid: `${STUDY}.1.1` });
    expect(examinePart(part(bytes), STUDY)).toEqual({
      accepted: true,
      instance: {
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        sopInstanceUid: `${STUDY}.1.1`,
        studyInstanceUid: STUDY,
        seriesInstanceUid: `${STUDY}.1`,
      },
    });
  });

  it('accepts any study when the request names none, and a part without a Content-Type', () => {
    expect(examinePart({ headers: {}, body: dicom({ studyInstanceUid: '1.2.3.4' }) })).toMatchObject({ accepted: true });
  });

  it('fails an instance of another study than the target with A900, naming it', () => {
    const bytes = dicom({ studyInstanceUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5' });
    expect(examinePart(part(bytes), STUDY)).toEqual({
      accepted: false,
      reason: FAILURE_REASON.studyMismatch,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.2.3.4.5',
    });
    expect(FAILURE_REASON.studyMismatch).toBe(0xa900);
  });

  it.each([
    ['bytes that are not DICOM', new TextEncoder().encode('not a DICOM file at all, just text')],
    ['an empty part', new Uint8Array(0)],
    ['a truncated instance', dicom().subarray(0, 200)],
  ])('fails %s with C000 and names nothing', (_what, bytes) => {
    expect(examinePart(part(bytes), STUDY)).toEqual({ accepted: false, reason: 0xc000 });
  });

  it('fails an instance without a Series Instance UID with C000, naming what it has', () => {
    const bytes = dicom({ seriesInstanceUid: '', sopInstanceUid: '1.2.3.9' });
    expect(examinePart(part(bytes), STUDY)).toEqual({
      accepted: false,
      reason: FAILURE_REASON.cannotUnderstand,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.2.3.9',
    });
  });

  it('fails a part of another media type with C000', () => {
    expect(examinePart(part(dicom(), 'application/octet-stream'), STUDY)).toEqual({ accepted: false, reason: 0xc000 });
  });

  it("reads the parts of dicomweb-client's encoding (a leading CRLF, no CRLF after the close delimiter)", () => {
    const a = dicom({ sopInstanceUid: '1.2.3.1' });
    const b = dicom({ sopInstanceUid: '1.2.3.2' });
    const head = Buffer.from('\r\n--b0\r\nContent-Type: application/dicom\r\n\r\n', 'latin1');
    const body = Buffer.concat([head, a, head, b, Buffer.from('\r\n--b0--', 'latin1')]);
    const parts = parseMultipart(body, 'b0');
    expect(parts.map((p) => examinePart(p, STUDY))).toMatchObject([
      { accepted: true, instance: { sopInstanceUid: '1.2.3.1' } },
      { accepted: true, instance: { sopInstanceUid: '1.2.3.2' } },
    ]);
    expect(Buffer.compare(parts[1]!.body, b)).toBe(0);
    expect(parseMultipart(multipartBody('b1', [{ contentType: 'application/dicom', body: a }]), 'b1')).toHaveLength(1);
  });
});

describe('Store Instances Response', () => {
  const stored = [
    {
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.2.3.1',
      retrieveUrl: 'https://h/dicomweb/studies/2.25.1/series/2.25.2/instances/2.25.3',
    },
  ];
  const failed = [
    { reason: FAILURE_REASON.cannotUnderstand },
    { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3.2', reason: FAILURE_REASON.studyMismatch },
  ];

  it('lists what was stored (class, instance, Retrieve URL) and what failed (what is known, Failure Reason)', () => {
    expect(storeInstancesResponse({ retrieveUrl: 'https://h/dicomweb/studies/2.25.1', stored, failed })).toEqual({
      '00081190': { vr: 'UR', Value: ['https://h/dicomweb/studies/2.25.1'] },
      '00081198': {
        vr: 'SQ',
        Value: [
          { '00081197': { vr: 'US', Value: [0xc000] } },
          {
            '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
            '00081155': { vr: 'UI', Value: ['1.2.3.2'] },
            '00081197': { vr: 'US', Value: [0xa900] },
          },
        ],
      },
      '00081199': {
        vr: 'SQ',
        Value: [
          {
            '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
            '00081155': { vr: 'UI', Value: ['1.2.3.1'] },
            '00081190': { vr: 'UR', Value: ['https://h/dicomweb/studies/2.25.1/series/2.25.2/instances/2.25.3'] },
          },
        ],
      },
    });
  });

  it('keeps the Retrieve URL (type 2) without a value and leaves out empty sequences', () => {
    expect(storeInstancesResponse({ stored: [], failed })).toEqual({
      '00081190': { vr: 'UR' },
      '00081198': expect.objectContaining({ vr: 'SQ' }) as unknown,
    });
  });

  it('answers 200 when all were stored, 202 when some, 409 when none', () => {
    expect(storeStatus({ stored, failed: [] })).toBe(200);
    expect(storeStatus({ stored, failed })).toBe(202);
    expect(storeStatus({ stored: [], failed })).toBe(409);
  });
});

describe('STOW-RS above the limit', () => {
  it("names the ways to store a larger instance: the gateway's STOW-RS and the presigned upload API", () => {
    expect(STOW_TOO_LARGE_MESSAGE).toContain('hilum gateway --stow-port');
    expect(STOW_TOO_LARGE_MESSAGE).toContain('POST /submissions/{id}/uploads');
  });
});
