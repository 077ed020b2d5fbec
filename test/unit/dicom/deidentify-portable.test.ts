/**
 * The portal de-identifies in a browser's Web Worker, where there is no Buffer and no node: module.
 * The engine reaches them only through layers/common/bytes.ts and digest.ts; loaded with both hidden,
 * it must write the same bytes as in Node for every fixture, so a site's browser and `hilum upload
 * --deid-at-site` make the same study.
 */
import { createHash } from 'node:crypto';
import { fixture, fixturesIn } from './helpers';
import { makeDicom } from '../../support/synthetic-dicom';
import * as nodeDicom from '../../../layers/dicom';
import type * as Dicom from '../../../layers/dicom';
import type * as Ingest from '../../../layers/ingest/process-instance';

const digestOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const KEYS = { secret: 'portable-secret-0123456789abcdef', project: 'portable', site: 'site-p' };

interface Loaded {
  dicom: typeof Dicom;
  ingest: typeof Ingest;
}

/** The pure layers as a browser bundle gets them: loaded afresh with Buffer and process.getBuiltinModule out of reach. */
function loadWithoutNode(): Loaded {
  const scope = globalThis as { Buffer?: unknown; process: { getBuiltinModule?: unknown } };
  const [buffer, builtin] = [scope.Buffer, scope.process.getBuiltinModule];
  let loaded: Loaded | undefined;
  try {
    delete scope.Buffer;
    scope.process.getBuiltinModule = undefined;
    jest.isolateModules(() => {
      loaded = {
        dicom: jest.requireActual('../../../layers/dicom'),
        ingest: jest.requireActual('../../../layers/ingest/process-instance'),
      };
    });
  } finally {
    scope.Buffer = buffer;
    scope.process.getBuiltinModule = builtin;
  }
  return loaded as Loaded;
}

const portable = loadWithoutNode();
const inputs = [
  ...fixturesIn('ct', 'chest-xray', 'patient-77654033', 'charset', 'sequences', 'graphics', 'private').map((name) => ({
    name,
    bytes: fixture(name),
  })),
  { name: 'synthetic CT', bytes: makeDicom({ instanceNumber: 2 }) },
  { name: 'synthetic CR burned in', bytes: makeDicom({ modality: 'CR', burnedInAnnotation: 'YES' }) },
];

describe('the engine without Buffer or node: modules (the browser worker) writes what it writes in Node', () => {
  it('really runs without them: a helper of the portable load makes Uint8Arrays, not Buffers', () => {
    const out = portable.dicom.deidentify(inputs[0]!.bytes, KEYS);
    expect(Buffer.isBuffer(out.chunks[0])).toBe(false);
    expect(Buffer.isBuffer(nodeDicom.deidentify(inputs[0]!.bytes, KEYS).chunks[0])).toBe(true);
  });

  it.each(inputs.map((i) => [i.name, i.bytes] as const))('%s: same bytes, counts and outcome', (_name, bytes) => {
    let expected: unknown;
    let actual: unknown;
    try {
      const out = nodeDicom.deidentify(bytes, KEYS);
      expected = { sha256: digestOf(out.bytes), counts: out.actionCounts, outcome: out.outcome };
    } catch (error) {
      expected = { error: (error as Error).message };
    }
    try {
      const out = portable.dicom.deidentify(bytes, KEYS);
      actual = { sha256: digestOf(out.bytes), counts: out.actionCounts, outcome: out.outcome };
    } catch (error) {
      actual = { error: (error as Error).message };
    }
    expect(actual).toEqual(expected);
  });

  it('the site de-identify step gives the same bytes and staged UIDs', () => {
    const bytes = makeDicom({ instanceNumber: 5 });
    const key = { ...KEYS, input: 'original' as const, profile: nodeDicom.DEFAULT_PROFILE };
    const inNode = jest.requireActual<typeof Ingest>('../../../layers/ingest/process-instance').deidentifyInstance(bytes, key);
    const inBrowser = portable.ingest.deidentifyInstance(bytes, key);
    expect(digestOf(inBrowser.bytes)).toBe(digestOf(inNode.bytes));
    expect(inBrowser.uids).toEqual(inNode.uids);
  });
});

/** Runs `fn` with Buffer out of reach, as in the browser's worker (the portable load alone would not catch a call-time Buffer). */
function withoutBuffer<T>(fn: () => T): T {
  const scope = globalThis as { Buffer?: unknown };
  const buffer = scope.Buffer;
  try {
    delete scope.Buffer;
    return fn();
  } finally {
    scope.Buffer = buffer;
  }
}

describe('the independent verifier without Buffer (the browser checks what it de-identified before upload)', () => {
  const ingestInNode = jest.requireActual<typeof Ingest>('../../../layers/ingest/process-instance');
  const profile = nodeDicom.DEFAULT_PROFILE;
  const cases = inputs.slice(0, 6).concat(inputs.filter((i) => i.name.startsWith('synthetic')));

  it.each(cases.map((i) => [i.name, i.bytes] as const))('%s: the same verdicts as in Node, passed and failed', (_name, bytes) => {
    let copy: Uint8Array;
    try {
      copy = nodeDicom.deidentify(bytes, KEYS).bytes;
    } catch {
      return; // an input the engine refuses has no copy to verify (the same in both, above)
    }
    const verdicts = (ingest: typeof Ingest) => ({
      copy: ingest.verifyInstance(bytes, copy, { input: 'original', profile }),
      // The original itself as its "copy": every identifier still there.
      untouched: ingest.verifyInstance(bytes, bytes, { input: 'original', profile }),
      site: ingest.verifyInstance(copy, copy, { input: 'deidentified-at-site', profile, ...KEYS }),
    });
    const inNode = verdicts(ingestInNode);
    expect(inNode.copy.passed).toBe(true);
    expect(inNode.untouched.passed).toBe(false);
    expect(withoutBuffer(() => verdicts(portable.ingest))).toEqual(inNode);
  });
});
