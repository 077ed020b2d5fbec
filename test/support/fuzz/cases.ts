/**
 * One fuzz case, end to end in the calling process: the mutant of case `index`
 * (its seed file, mutation kind and random stream all follow from `index` and
 * the run's seed), through parseDicom, deidentify and verifyDeidentified as the
 * pipeline runs them, then the oracle's byte search of what would be published.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deidentify, verifyDeidentified, DicomParseError, DEFAULT_PROFILE, parseDicom } from '../../../layers/dicom';
import { makeDicom } from '../synthetic-dicom';
import { rng } from '../random';
import { MUTATION_KINDS, mutate, seedOf, type MutationKind, type Seed } from './mutate';
import { carrierClass, haystackOf, identifyingNeedles, leaksIn, type Needle } from './oracle';

export type FuzzClass = 'crash' | 'hang' | 'leak' | 'ok-refused' | 'ok-published';
export const FUZZ_CLASSES: readonly FuzzClass[] = ['crash', 'hang', 'leak', 'ok-refused', 'ok-published'];

export interface Outcome {
  index: number;
  kind: MutationKind;
  seed: string;
  cls: FuzzClass;
  /** For crashes: stage and error name and message (value-free by the engine's rules); for leaks: where the values came from. */
  detail?: string;
  /** Published with a value of the seed's identifying attributes moved into a text attribute or as a conforming value (the known gap). */
  moved?: boolean;
}

const FIXTURES = join(__dirname, '../../fixtures/dicom');
/** Every readable fixture class: Implicit and Explicit VR, big endian, encapsulated, sequences, private blocks, character sets. */
const SEED_FILES = [
  'ct/CT_small.dcm',
  'ct/CT_small_jpeg_lossless.dcm',
  'transfer-syntax/MR_small.dcm',
  'transfer-syntax/MR_small_implicit.dcm',
  'transfer-syntax/MR_small_bigendian.dcm',
  'transfer-syntax/MR_small_RLE.dcm',
  'chest-xray/nih-cxr-dx.dcm',
  'patient-77654033/cr-cspine/CR1_6154.dcm',
  'patient-77654033/ct-head-series/CT2_17106.dcm',
  'charset/chrX1.dcm',
  'sequences/rtplan.dcm',
  'sequences/test-SR.dcm',
  'graphics/examples_overlay.dcm',
];

export const KEYS = { secret: 'fuzz-secret', project: 'fuzz-project', site: 'fuzz-site' };

export interface FuzzSeed extends Seed {
  /** The unmutated seed's de-identified output: a value found here is kept by the profile, so it cannot count as a leak. */
  baseline: string;
  needles: Needle[];
}

function prepare(name: string, bytes: Uint8Array): FuzzSeed {
  const seed = seedOf(name, bytes);
  const out = deidentify(bytes, { ...KEYS, profile: DEFAULT_PROFILE });
  const baseline = haystackOf(out.chunks);
  const needles = identifyingNeedles(bytes).filter((n) => !baseline.includes(n.text));
  return { ...seed, baseline, needles };
}

let seeds: FuzzSeed[] | undefined;

/** The seeds: the fixtures above, and a synthetic CT in Explicit and in Implicit VR (with a private block and nested names). */
export function fuzzSeeds(): FuzzSeed[] {
  seeds ??= [
    ...SEED_FILES.map((path) => prepare(path, new Uint8Array(readFileSync(join(FIXTURES, path))))),
    prepare('synthetic CT', makeDicom({})),
  ];
  return seeds;
}

function refusedOrCrash(index: number, kind: MutationKind, seed: string, stage: string, error: unknown): Outcome {
  if (error instanceof DicomParseError) return { index, kind, seed, cls: 'ok-refused' };
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    index,
    kind,
    seed,
    cls: 'crash',
    detail: `${stage}: ${e.name}: ${e.message.slice(0, 160)} @ ${(e.stack ?? '').split('\n')[1]?.trim() ?? ''}`,
  };
}

/** Case `index` of a run seeded `runSeed`: which seed, which mutation, which bytes. */
export function mutantOf(runSeed: number, index: number): { kind: MutationKind; seed: FuzzSeed; bytes: Uint8Array } {
  const kind = MUTATION_KINDS[index % MUTATION_KINDS.length] as MutationKind;
  const random = rng((runSeed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const eligible = fuzzSeeds().filter((s) => kind !== 'deflate-stream' || s.deflatable);
  const seed = eligible[Math.floor(random() * eligible.length)] as FuzzSeed;
  return { kind, seed, bytes: mutate(seed, kind, random) };
}

export function runCase(runSeed: number, index: number): Outcome {
  const { kind, seed, bytes } = mutantOf(runSeed, index);
  const name = seed.name;
  try {
    parseDicom(bytes);
  } catch (error) {
    return refusedOrCrash(index, kind, name, 'parse', error);
  }
  let output: ReturnType<typeof deidentify>;
  try {
    output = deidentify(bytes, { ...KEYS, profile: DEFAULT_PROFILE });
  } catch (error) {
    return refusedOrCrash(index, kind, name, 'deidentify', error);
  }
  try {
    if (!verifyDeidentified(bytes, output.bytes, DEFAULT_PROFILE).passed) return { index, kind, seed: name, cls: 'ok-refused' };
  } catch (error) {
    return refusedOrCrash(index, kind, name, 'verify', error);
  }
  // The input's own identifying values (as this mutant holds them) must never be published.
  const haystack = haystackOf(output.chunks);
  const leaks = leaksIn(
    haystack,
    identifyingNeedles(bytes).filter((n) => !seed.baseline.includes(n.text)),
  );
  // The seed's, moved by the mutation: a leak unless they now sit where no reader of bytes could tell them from a legitimate value.
  const moved = leaksIn(haystack, seed.needles);
  leaks.push(...moved.filter((n) => carrierClass(output.bytes, n.text) === 'leak'));
  if (leaks.length) return { index, kind, seed: name, cls: 'leak', detail: [...new Set(leaks.map((l) => l.source))].join(', ') };
  return { index, kind, seed: name, cls: 'ok-published', moved: moved.length > 0 };
}
