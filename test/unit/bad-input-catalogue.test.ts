/**
 * Bad-input catalogue, files (issue 12): every hostile DICOM input found so far,
 * run through the ingest pipeline's pure steps as the workflow chains them
 * (Parse within the project's inflation policy -> De-identify -> Verify ->
 * instance QA), each with the outcome it must keep: quarantined with the named
 * reason (an error name or a rule id, value-free), or staged with nothing of the
 * input's identity left. The API and CLI entries are in
 * test/integration/bad-input-catalogue.test.ts.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from '../../cli/gateway/spool';
import { DEFAULT_PROFILE, parseDicom } from '../../layers/dicom';
import { checkInstance, deidentifyInstance, verifyInstance } from '../../layers/ingest/process-instance';
import { loadQaConfig } from '../../layers/qa';
import { makeDeflateBomb } from '../support/deflate-bomb';
import { adversarialFile, deeplyNestedFile, lyingLengthFile, valueOffsetOf } from '../support/hostile-dicom';
import { makeDicom, SYNTHETIC_PHI } from '../support/synthetic-dicom';
import { SECRET } from './dicom/helpers';

const MIB = 1024 * 1024;
const config = loadQaConfig({});

type Outcome =
  | { readonly quarantined: string; readonly message: string; readonly output?: Uint8Array }
  | { readonly staged: true; readonly output: Uint8Array; readonly quarantined?: undefined };

/** The workflow's verdict on one uploaded original: Parse, then the steps functions/ingest/{deidentify,verify,qa}.ts run (layers/ingest). */
function ingest(bytes: Uint8Array): Outcome {
  let output: Uint8Array;
  let deidOutcome: 'ok' | 'needs-pixel-review';
  try {
    parseDicom(bytes, { inflation: config.inflation });
    const deid = deidentifyInstance(bytes, { input: 'original', ...SECRET, profile: DEFAULT_PROFILE });
    output = deid.bytes;
    deidOutcome = deid.outcome;
  } catch (error) {
    return { quarantined: (error as Error).name, message: (error as Error).message };
  }
  const verification = verifyInstance(bytes, output, { input: 'original', profile: DEFAULT_PROFILE });
  const blocking = checkInstance(output, { config, deidOutcome, verification }).findings.filter((f) => f.severity === 'quarantine');
  if (blocking.length > 0)
    return { quarantined: blocking[0]!.ruleId, message: blocking.map((f) => `${f.ruleId}: ${f.message}`).join('; '), output };
  return { staged: true, output };
}

const good = makeDicom();
const cut = (bytes: Uint8Array, end: number) => bytes.slice(0, end);
const NAME_PARTS = SYNTHETIC_PHI.patientName.split('^');
/** Every identifying text of the synthetic patient, searched as bytes (independent of the parser). */
const carries = (bytes: Uint8Array, texts: readonly string[]) => texts.filter((t) => Buffer.from(bytes).includes(Buffer.from(t, 'latin1')));

describe('bad-input catalogue: files a site could upload', () => {
  it.each([
    ['a zero-byte file', () => new Uint8Array(0), 'empty file'],
    ['a file cut inside the preamble', () => cut(good, 60), 'no DICM prefix'],
    ['a file with no preamble (data set from byte 0)', () => good.slice(128), 'no DICM prefix'],
    ['a file with no preamble and no DICM prefix', () => good.slice(132), 'no DICM prefix'],
    ['a file cut inside the File Meta Information', () => cut(good, 150), 'File Meta Information has no (0002,0010)'],
    [
      'a file cut mid-element (inside PatientName)',
      () => cut(good, valueOffsetOf(good, 0x0010, 0x0010) + 3),
      'truncated: element (0010,0010) declares 14 bytes, 3 remain',
    ],
    [
      'a file cut mid-pixel data',
      () => cut(good, valueOffsetOf(good, 0x7fe0, 0x0010) + 100),
      'truncated: element (7FE0,0010) declares 512 bytes, 100 remain',
    ],
    ['a non-SQ element (UT) with length 0xFFFFFFFF', () => lyingLengthFile(0xffffffff), 'malformed: expected an item in (7FE1,1010)'],
    [
      'a non-SQ element (UT) with a near-4 GB length (0xFFFFFFF0)',
      () => lyingLengthFile(0xfffffff0),
      'truncated: element (7FE1,1010) declares 4294967280 bytes',
    ],
    [
      'a file with sequences nested 10,000 levels deep',
      () => deeplyNestedFile(10_000),
      'malformed: sequences nested deeper than 64 levels',
    ],
  ])('%s is quarantined as DicomParseError naming the defect, never a value', (_name, input, reason) => {
    const outcome = ingest(input());
    expect(outcome).toMatchObject({ quarantined: 'DicomParseError', message: expect.stringContaining(reason) });
    expect(carries(Buffer.from(outcome.quarantined ? outcome.message : ''), [...NAME_PARTS, SYNTHETIC_PHI.patientId])).toEqual([]);
  });

  it('a huge NumberOfFrames (2^31 - 1) is quarantined for PixelData that does not hold the frames it claims, without allocating them', () => {
    const started = Date.now();
    const outcome = ingest(makeDicom({ elements: { '00280008': { vr: 'IS', Value: [2147483647] } } }));
    // The QA rule pixel.consistent names it, or the reader first when it checks native pixel sizes itself.
    expect(outcome.quarantined).toMatch(/^(pixel\.consistent|DicomParseError)$/);
    expect(outcome.quarantined ? outcome.message : '').toMatch(/PixelData (\(7FE0,0010\) )?holds 512 bytes/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a deflate bomb (32 MiB of pixels in a 33 KB deflated data set) is quarantined as InflationLimitExceeded before it is inflated', async () => {
    const bomb = await makeDeflateBomb(32 * MIB);
    const outcome = ingest(bomb);
    expect(outcome).toMatchObject({
      quarantined: 'InflationLimitExceeded',
      message: expect.stringMatching(/^inflation limit: the deflated data set of a \d+-byte file inflates to more than \d+ bytes$/),
    });
  });

  it('regex-heavy text (20,000 OtherPatientIDs, 200,000 characters of near misses) finishes in seconds with no ID left in the output', () => {
    const started = Date.now();
    const outcome = ingest(adversarialFile(20_000, 200_000));
    expect(Date.now() - started).toBeLessThan(30_000);
    // A secondary-capture header without pixels: out of the default scope, but de-identified and verified first.
    expect(outcome.quarantined).toBe('scope.modality');
    expect(outcome.output).toBeDefined();
    expect(carries(outcome.output!, ['MRN0000000', 'MRN0007919', 'MRN-90210-77', 'DOE^JANE'])).toEqual([]);
  });

  it('a PatientName swapped under another tag with its explicit VR (Manufacturer as PN) leaves no part of the name in what is staged', () => {
    const outcome = ingest(makeDicom({ elements: { '00080070': { vr: 'PN', Value: [{ Alphabetic: SYNTHETIC_PHI.patientName }] } } }));
    expect(outcome.output).toBeDefined();
    expect(carries(outcome.output!, NAME_PARTS)).toEqual([]);
  });
});

describe("bad-input catalogue: UIDs a DICOM sender controls, on the site gateway's disk", () => {
  it.each([
    ['../../../escape', '../../x'],
    ['/etc', '/etc/passwd'],
    ['1.2.3\u0000/..', '..\\..\\win'],
  ])(
    'a received instance with StudyInstanceUID %j and SOPInstanceUID %j is spooled under hashed names inside the spool',
    async (studyUid, sopUid) => {
      const root = await mkdtemp(join(tmpdir(), 'hilum-spool-'));
      try {
        const spool = new Spool(join(root, 'spool'));
        await spool.init();
        const incoming = spool.newIncomingPath();
        await writeFile(incoming, 'DICM');
        const key = await spool.commit(incoming, studyUid, sopUid);
        expect(key).toMatch(/^[0-9a-f]{32}$/);
        expect(await readdir(root)).toEqual(['spool']);
        const files = await readdir(join(root, 'spool', 'studies'), { recursive: true });
        expect(files.sort()).toEqual([key, expect.stringMatching(new RegExp(`^${key}/[0-9a-f]{32}\\.dcm$`))]);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );
});
