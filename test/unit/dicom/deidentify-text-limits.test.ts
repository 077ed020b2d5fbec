import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { verifyDeidentified } from '../../../layers/dicom';
import { readDicomFile } from '../../../layers/dicom/dcmjs';
import { deidentifyFile } from '../../../layers/dicom/deidentify/engine';
import { DeidentificationTimeout, DicomParseError } from '../../../layers/dicom/errors';
import { DEFAULT_PROFILE } from '../../../layers/dicom/profiles';
import { makeDicom } from '../../support/synthetic-dicom';
import { SECRET } from './helpers';
import { adversarialFile, syntheticFile } from '../../support/hostile-dicom';
import { bestCpuMs } from '../../support/cpu-time';

const description = (bytes: Uint8Array): unknown => readDicomFile(bytes).dict['00081030']?.Value?.[0] ?? '';

describe('de-identification of a file crafted against the text cleaner', () => {
  // Different seeds per run: the engine remembers scrubbers and texts per series, and each run must do the work.
  let seed = 0;
  const deid = (ids: number, chars: number) => {
    const files = Array.from({ length: 8 }, () => adversarialFile(ids, chars, (seed += 1)));
    let next = 0;
    return () => {
      const out = deidentifyFile(files[next++ % files.length] as Uint8Array, SECRET, DEFAULT_PROFILE);
      expect(out.actionCounts['identifierInText:removed']).toBeUndefined();
    };
  };

  it('takes time linear in the IDs and the description: doubling both at most triples it', () => {
    const [small, large] = bestCpuMs([deid(1500, 30_000), deid(3000, 60_000)]) as [number, number];
    expect(large / small).toBeLessThan(3);
  });

  // Four times the size, not two: a quadratic search takes ~16x, a linear one ~4x, so the
  // bound of 8 holds on a loaded machine and still fails the old search (3.7x at 2x).
  it('verifies the output in linear time too: four times the IDs and the header at most eight times the time', () => {
    const pair = (ids: number, chars: number) => {
      const original = adversarialFile(ids, chars);
      const output = deidentifyFile(original, SECRET, DEFAULT_PROFILE).bytes;
      // The near misses are kept: the verifier has a long header to search for every ID.
      expect(String(description(output)).length).toBeGreaterThan(chars / 2);
      return () => expect(verifyDeidentified(original, output).passed).toBe(true);
    };
    const [small, large] = bestCpuMs([pair(1000, 16_000), pair(4000, 64_000)]) as [number, number];
    expect(large / small).toBeLessThan(8);
  });

  it('empties the description rather than keep it unscrubbed when the IDs are beyond the limits (20,000 IDs, 200,000 characters)', () => {
    const original = adversarialFile(20_000, 200_000);
    const out = deidentifyFile(original, SECRET, DEFAULT_PROFILE);
    expect(description(out.bytes)).toBe('');
    expect(out.actionCounts['identifierInText:emptied']).toBe(1);
    expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
  });

  it('handles a 1 MB identifier, which no longer fails to compile', () => {
    const original = syntheticFile(['X'.repeat(1 << 20)], 'CHEST PA');
    const out = deidentifyFile(original, SECRET, DEFAULT_PROFILE);
    expect(description(out.bytes)).toBe('');
    expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
  });

  it('empties a description longer than the cleaner scans (1 MB) and keeps a normal one', () => {
    const long = `${'CHEST '.repeat(200_000)}DOE`;
    const original = syntheticFile(['ALT-55501'], long);
    const out = deidentifyFile(original, SECRET, DEFAULT_PROFILE);
    expect(description(out.bytes)).toBe('');
    expect(out.actionCounts['identifierInText:emptied']).toBe(1);
    const normal = syntheticFile(['ALT-55501'], 'CHEST for DOE');
    expect(description(deidentifyFile(normal, SECRET, DEFAULT_PROFILE).bytes)).toBe('CHEST for');
  });

  it('reads, de-identifies and verifies a value of spaces ending in a letter in linear time (trailing-padding regexes took the square): four times the spaces at most eight times the time', () => {
    const run = (spaces: number) => {
      const original = syntheticFile(['ALT-55501'], `${' '.repeat(spaces)}x`);
      return () => {
        const out = deidentifyFile(original, SECRET, DEFAULT_PROFILE);
        expect(verifyDeidentified(original, out.bytes).passed).toBe(true);
      };
    };
    const [small, large] = bestCpuMs([run(15_000), run(60_000)]) as [number, number];
    expect(large / small).toBeLessThan(8);
  });

  it('keeps no long cleaned text in memory from one file to the next', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // The JS heap only: it holds the remembered texts (as keys); buffer memory is freed lazily and too noisy to compare.
    const used = (): number => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    // Each description differs and holds the patient's name, so each is cleaned into a new 60 KB value.
    const files = Array.from({ length: 200 }, (_, i) =>
      syntheticFile(['ALT-55501'], `DOE ${String(i).padStart(6, '0')} ${'x'.repeat(60_000)}`),
    );
    // Warm up first: reading Implicit VR loads the data dictionary once.
    deidentifyFile(syntheticFile(['ALT-55501'], `DOE warm-up ${'x'.repeat(60_000)}`), SECRET, DEFAULT_PROFILE);
    const before = used();
    // The name, and the six-digit number as an ID-like one (issue 18).
    for (const file of files) expect(deidentifyFile(file, SECRET, DEFAULT_PROFILE).actionCounts['identifierInText:removed']).toBe(2);
    // 200 remembered texts hold 12 MB of keys alone; a few MB is noise.
    expect(used() - before).toBeLessThan(6 * 1024 * 1024);
  });

  it('stops past the time budget with a value-free DeidentificationTimeout', () => {
    const original = makeDicom({
      elements: {
        '00081030': { vr: 'LO', Value: ['CT CHEST for DOE JANE'] },
        '00204000': { vr: 'LT', Value: [`Seen by Dr House. ${'Stable. '.repeat(2000)}`] },
      },
    });
    // A clock that moves a second each time it is read: the budget runs out during the file.
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
    try {
      expect(() => deidentifyFile(original, SECRET, DEFAULT_PROFILE, { timeBudgetMs: 1500 })).toThrow(DeidentificationTimeout);
      let error: unknown;
      try {
        deidentifyFile(original, SECRET, DEFAULT_PROFILE, { timeBudgetMs: 1500 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DicomParseError);
      expect((error as Error).name).toBe('DeidentificationTimeout');
      expect((error as Error).message).not.toMatch(/DOE|JANE|House|Stable|CHEST/i);
    } finally {
      clock.mockRestore();
    }
    // With the real clock and the default budget the same file passes.
    expect(description(deidentifyFile(original, SECRET, DEFAULT_PROFILE).bytes)).toBe('CT CHEST for');
  });
});
