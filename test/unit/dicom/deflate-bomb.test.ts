/**
 * S3 (issue 11): a 1 MB Deflated Explicit VR Little Endian file that inflates to
 * a gigabyte is refused by every reader of hilum, with a value-free
 * InflationLimitExceeded, before it takes more memory than its limit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import {
  CEILING_ONLY,
  DEFAULT_INFLATION_POLICY,
  DicomParseError,
  INFLATION_CEILING_BYTES,
  INFLATION_FLOOR_BYTES,
  InflationLimitExceeded,
  deidentify,
  inflationLimit,
  parseDicom,
  verifyDeidentified,
} from '../../../layers/dicom';
import { readDicomHeader } from '../../../layers/dicom/dcmjs';
import { loadQaConfig } from '../../../layers/qa';
import { makeDeflateBomb } from '../../support/deflate-bomb';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const SECRET = { secret: 'b'.repeat(64), project: 'bomb-test', site: 'bomb-site' };

describe('inflation limits', () => {
  it('allows any ratio up to the floor, the ratio above it, and never more than the cap or the ceiling', () => {
    const policy = { maxBytes: 64 * MIB, maxRatio: 10 };
    expect(inflationLimit(1000, policy)).toBe(INFLATION_FLOOR_BYTES);
    expect(inflationLimit(3 * MIB, policy)).toBe(30 * MIB);
    expect(inflationLimit(50 * MIB, policy)).toBe(64 * MIB);
    expect(inflationLimit(50 * MIB, { maxBytes: 10 * GIB, maxRatio: 10 })).toBe(INFLATION_CEILING_BYTES);
    expect(inflationLimit(1, CEILING_ONLY)).toBe(INFLATION_CEILING_BYTES);
  });

  it("is part of a project's QA configuration, defaulted, and may not exceed the ceiling", () => {
    expect(loadQaConfig({}).inflation).toEqual(DEFAULT_INFLATION_POLICY);
    expect(loadQaConfig({ inflation: { maxRatio: 500 } }).inflation).toEqual({
      maxBytes: DEFAULT_INFLATION_POLICY.maxBytes,
      maxRatio: 500,
    });
    expect(() => loadQaConfig({ inflation: { maxBytes: INFLATION_CEILING_BYTES + 1 } })).toThrow(/inflation\.maxBytes/);
    expect(() => loadQaConfig({ inflation: { maxRatio: 5000 } })).toThrow(/inflation\.maxRatio/);
  });
});

describe('a deflated file within its limits', () => {
  it('parses, de-identifies and verifies as before (a blank image far above the ratio, below the floor)', async () => {
    const blank = await makeDeflateBomb(4 * MIB);
    expect(blank.byteLength).toBeLessThan(20_000);
    expect(parseDicom(blank, { inflation: DEFAULT_INFLATION_POLICY }).summary).toMatchObject({ rows: 128, columns: 16_384 });
    const out = deidentify(blank, SECRET);
    expect(out.summary.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
    expect(verifyDeidentified(blank, out.bytes).passed).toBe(true);
    expect(readDicomHeader(out.bytes).dict['00280010']?.Value).toEqual([128]);
  });

  it('is refused at intake above the ratio, and taken when the project allows a higher ratio', async () => {
    const file = await makeDeflateBomb(32 * MIB);
    // ~1000:1 and above the 16 MiB floor: beyond the default 100:1.
    expect(() => parseDicom(file, { inflation: DEFAULT_INFLATION_POLICY })).toThrow(InflationLimitExceeded);
    expect(parseDicom(file, { inflation: { maxBytes: 64 * MIB, maxRatio: 1032 } }).summary.rows).toBe(1024);
    // Readers after intake keep the ceiling only.
    expect(parseDicom(file).summary.rows).toBe(1024);
  });

  it('a deflated data set that is not deflate data is malformed, not over a limit', () => {
    const file = Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM'),
      metaFor('1.2.840.10008.1.2.1.99'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]),
    ]);
    // The same meta with a real deflate stream parses up to the (empty) data set.
    const empty = Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM'),
      metaFor('1.2.840.10008.1.2.1.99'),
      deflateRawSync(Buffer.alloc(0)),
    ]);
    expect(() => parseDicom(empty)).toThrow(/missing required attribute/);
    let thrown: unknown;
    try {
      parseDicom(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DicomParseError);
    expect(thrown).not.toBeInstanceOf(InflationLimitExceeded);
  });
});

describe('a 1 GiB deflate bomb', () => {
  let dir: string;
  let bombPath: string;
  let compressed: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hilum-bomb-'));
    const bomb = await makeDeflateBomb(GIB);
    compressed = bomb.byteLength;
    bombPath = join(dir, 'bomb.dcm');
    writeFileSync(bombPath, bomb);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is about a megabyte', () => {
    expect(compressed).toBeLessThan(1.2 * MIB);
  });

  // The intake limit for this file is ~100 MB, which the refusal may hold once; the
  // bound leaves room for the collector running late on a loaded machine (seen:
  // 96-102 MB alone, 231 MB and later 396-413 MB beside a full suite on a machine
  // running other work too) and stays far below the gigabyte (before the fix: 3.1 GB),
  // the same ceiling as the other readers'.
  it('is refused at intake with a value-free reason, holding less than 512 MB', async () => {
    const result = await probe('intake', bombPath);
    expect(result.error).toBe('InflationLimitExceeded');
    expect(result.message).toBe(
      `inflation limit: the deflated data set of a ${compressed}-byte file inflates to more than ${inflationLimit(compressed, DEFAULT_INFLATION_POLICY)} bytes`,
    );
    expect(result.peakMb).toBeLessThan(512);
  });

  it.each(['scan', 'deidentify', 'verify', 'metadata'])(
    'is refused by the %s reader within the ceiling (256 MiB held at most, with room for a late collector)',
    async (reader) => {
      const result = await probe(reader, bombPath);
      expect(result.error).toBe('InflationLimitExceeded');
      expect(result.peakMb).toBeLessThan(512);
    },
  );

  it('is a dicom.parses finding of the offline QA check before upload', async () => {
    const result = await probe('qa-original', bombPath);
    expect(result).toMatchObject({ error: 'Finding:dicom.parses', message: expect.stringMatching(/^inflation limit: /) });
    expect(result.peakMb).toBeLessThan(512);
  });
});

interface ProbeResult {
  error: string | null;
  message: string;
  peakMb: number;
}

/** Runs a reader on the file in a fresh process (test/support/inflation-probe.ts), whose peak memory is its own. */
function probe(reader: string, path: string): Promise<ProbeResult> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, '../../support/inflation-probe.ts'), reader, path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`probe ${reader} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(line) as ProbeResult);
    });
  });
}

/** A minimal File Meta group (explicit VR little endian) naming a transfer syntax. */
function metaFor(transferSyntaxUid: string): Buffer {
  const value = Buffer.from(transferSyntaxUid.length % 2 ? `${transferSyntaxUid}\0` : transferSyntaxUid, 'latin1');
  const ts = Buffer.alloc(8 + value.byteLength);
  ts.writeUInt16LE(0x0002, 0);
  ts.writeUInt16LE(0x0010, 2);
  ts.write('UI', 4, 'latin1');
  ts.writeUInt16LE(value.byteLength, 6);
  value.copy(ts, 8);
  return ts;
}
