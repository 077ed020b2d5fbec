/**
 * Pixels end to end on the local commons (issue 15, part 1): instances in every compressed
 * transfer syntax hilum decodes go through the pipeline (de-identified, verified, published),
 * then dicomweb-client retrieves each as stored, as Explicit VR Little Endian and its frames
 * uncompressed; the pixel values equal the reference decoder's on the instance as stored
 * (dcmtk, gdcm; HTJ2K: gdcm's OpenJPEG 2.5 on the same codestreams labelled JPEG 2000).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import { submitFiles } from '../support/projects';
import { readDicomFile, storedFrames } from '../../layers/dicom';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { dicomwebClient, type DicomJson, type DicomwebClient } from '../support/dicomweb-client';
import { pixelBytes } from '../support/dicom-inspect';
import { encapsulate, htj2kFrames, runTool, syntheticImage, type SyntheticImage } from '../support/reference-decode';

jest.setTimeout(240_000);

const EXPLICIT = '1.2.840.10008.1.2.1';
const STUDY = '1.2.826.0.1.3680043.8.498.7272.1';
const value = (item: DicomJson, tag: string) => item[tag]?.Value?.[0] as string;
const bytesOf = (part: ArrayBuffer | Uint8Array) => Buffer.from(part instanceof Uint8Array ? part : new Uint8Array(part));

/** The cases in the order beforeAll builds them (test names are fixed before it runs). */
const CASE_NAMES = [
  'RLE Lossless, 3 frames',
  'JPEG baseline, RGB',
  'JPEG Lossless process 14',
  'JPEG-LS lossless, RGB',
  'JPEG-LS near-lossless',
  'JPEG 2000, RGB lossy',
  'HTJ2K lossless, 3 frames',
];

interface Case {
  name: string;
  syntax: string;
  /** The reference decode of the instance as retrieved (stored, de-identified): its Pixel Data. */
  reference: (stored: Uint8Array) => Buffer;
}

/** One instance of the study per case, each in its own series. */
function image(index: number, options: SyntheticImage): Uint8Array {
  return syntheticImage({
    ...options,
    instance: {
      studyInstanceUid: STUDY,
      seriesInstanceUid: `${STUDY}.${index}`,
      seriesNumber: index,
      instanceNumber: 1,
    },
  });
}

const tool =
  (name: string, args: string[] = []) =>
  (stored: Uint8Array): Buffer =>
    pixelBytes(runTool(name, args, stored)) as Buffer;

describe('DICOMweb pixels: every compressed syntax retrieved decoded, with the reference values', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let client: DicomwebClient;
  const cases: Case[] = [];
  const uploads: Record<string, Uint8Array> = {};
  const published = new Map<string, { study: string; series: string; sop: string }>();

  async function retrieveAs(path: string, transferSyntaxUID: string): Promise<ArrayBuffer[]> {
    // dicomweb-client 0.11.3's retrieveInstance refuses a mediaTypes option (see dicomweb-wado.test.ts): its own helper, as it would call it.
    const internal = client as unknown as {
      _httpGetMultipartApplicationDicom(url: string, mediaTypes: object[], params: boolean, request: object): Promise<ArrayBuffer[]>;
    };
    return internal._httpGetMultipartApplicationDicom(
      `${commons.apiUrl}/dicomweb${path}`,
      [{ mediaType: 'application/dicom', transferSyntaxUID }],
      false,
      {
        instance: new (globalThis as unknown as { XMLHttpRequest: new () => object }).XMLHttpRequest(),
        progressCallback: false,
        withCredentials: false,
      },
    );
  }

  beforeAll(async () => {
    const add = (index: number, name: string, syntax: string, bytes: Uint8Array, reference: Case['reference']): void => {
      uploads[`${index}.dcm`] = bytes;
      cases.push({ name, syntax, reference });
      expect(storedFrames(bytes).transferSyntaxUid).toBe(syntax);
    };
    const rgb: SyntheticImage = { samplesPerPixel: 3, frames: 2, rows: 24, columns: 20 };
    const grey16: SyntheticImage = { bitsAllocated: 16, bitsStored: 12, frames: 3, rows: 24, columns: 20 };
    add(1, 'RLE Lossless, 3 frames', '1.2.840.10008.1.2.5', runTool('dcmcrle', [], image(1, grey16)), tool('dcmdrle'));
    add(2, 'JPEG baseline, RGB', '1.2.840.10008.1.2.4.50', runTool('dcmcjpeg', ['+eb'], image(2, rgb)), tool('dcmdjpeg'));
    add(
      3,
      'JPEG Lossless process 14',
      '1.2.840.10008.1.2.4.57',
      runTool('dcmcjpeg', ['+el', '+sv', '6'], image(3, grey16)),
      tool('dcmdjpeg'),
    );
    add(4, 'JPEG-LS lossless, RGB', '1.2.840.10008.1.2.4.80', runTool('dcmcjpls', [], image(4, rgb)), tool('dcmdjpls', ['+px']));
    add(5, 'JPEG-LS near-lossless', '1.2.840.10008.1.2.4.81', runTool('dcmcjpls', ['+en'], image(5, grey16)), tool('dcmdjpls'));
    add(
      6,
      'JPEG 2000, RGB lossy',
      '1.2.840.10008.1.2.4.91',
      runTool('gdcmconv', ['--j2k', '--lossy', '-q', '30'], image(6, rgb)),
      tool('gdcmconv', ['--raw']),
    );
    const ht = image(7, grey16);
    add(
      7,
      'HTJ2K lossless, 3 frames',
      '1.2.840.10008.1.2.4.201',
      encapsulate(ht, '1.2.840.10008.1.2.4.201', await htj2kFrames(ht, { lossless: true }), { basicOffsetTable: true }),
      (stored) => {
        const { frames } = storedFrames(stored);
        return pixelBytes(
          runTool(
            'gdcmconv',
            ['--raw'],
            encapsulate(
              ht,
              '1.2.840.10008.1.2.4.90',
              frames.map((f) => new Uint8Array(f)),
            ),
          ),
        ) as Buffer;
      },
    );

    dataDir = await mkdtemp(join(tmpdir(), 'hilum-pixels-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-pixels'));
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-pixels'));
    await curator.request('POST', '/projects', { projectId: 'pixels', name: 'pixels', availability: 'open', sites: ['site-a'] });
    await curator.request('PUT', '/projects/pixels/qa-config', {
      modalities: ['OT'],
      pixelReviewSopClasses: [],
      // HTJ2K is not among the QA defaults (layers/qa/config.ts): this project takes it.
      transferSyntaxes: [EXPLICIT, ...new Set(cases.map((c) => c.syntax))],
      rules: { 'deid.pixel-review': 'warn', 'scope.sop-class': 'warn' },
    });
    await submitFiles(site, 'pixels', 'site-a', uploads);
    await commons.idle();

    client = dicomwebClient(commons.apiUrl, await commons.issueToken(['researcher'], 'viewer-pixels'));
    for (const s of await client.searchForStudies()) {
      const study = value(s, '0020000D');
      for (const instance of await client.searchForInstances({ studyInstanceUID: study })) {
        published.set(value(instance, '00083002'), { study, series: value(instance, '0020000E'), sop: value(instance, '00080018') });
      }
    }
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes one instance per syntax', () => {
    expect([...published.keys()].sort()).toEqual([...new Set(cases.map((c) => c.syntax))].sort());
  });

  it.each(CASE_NAMES.map((name, index) => [name, index] as const))(
    'retrieves %s as stored, as Explicit VR Little Endian and as uncompressed frames, with the reference values',
    async (name, index) => {
      const c = cases[index] as Case;
      expect(c.name).toBe(name);
      const at = published.get(c.syntax);
      expect(at).toBeDefined();
      const { study, series, sop } = at as { study: string; series: string; sop: string };
      const path = `/studies/${study}/series/${series}/instances/${sop}`;

      // `*` answers as stored (dicomweb-client 0.11.3 refuses to ask for an HTJ2K syntax by name)
      const stored = bytesOf((await retrieveAs(path, '*'))[0] as ArrayBuffer);
      expect(readDicomFile(stored).meta['00020010']?.Value?.[0]).toBe(c.syntax);
      const reference = c.reference(stored);

      const explicit = bytesOf((await retrieveAs(path, EXPLICIT))[0] as ArrayBuffer);
      expect(readDicomFile(explicit).meta['00020010']?.Value?.[0]).toBe(EXPLICIT);
      expect(pixelBytes(explicit)?.equals(reference)).toBe(true);

      const count = storedFrames(stored).frames.length;
      const numbers = Array.from({ length: count }, (_, i) => i + 1).join(',');
      const frames = await client.retrieveInstanceFrames({
        studyInstanceUID: study,
        seriesInstanceUID: series,
        sopInstanceUID: sop,
        frameNumbers: numbers,
      });
      expect(frames).toHaveLength(count);
      expect(Buffer.concat(frames.map(bytesOf)).equals(reference)).toBe(true);
    },
  );
});
