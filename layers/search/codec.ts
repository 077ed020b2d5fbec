/**
 * The snapshot's stored form: `HSNP`, a format number, a JSON header (the
 * dictionaries and where each column is), then the columns' bytes, 8-byte
 * aligned; the whole gzip-compressed. Decoding copies each column into its own
 * typed array, so nothing depends on the alignment of the decompressed buffer.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { FACETS, FacetName, UNKNOWN } from './model';
import { CodeArray, FacetColumn, Snapshot } from './snapshot';

const MAGIC = 0x504e5348; // "HSNP" little-endian
const FORMAT = 1;

type DType = 'u8' | 'u16' | 'u32';
interface ColumnRef {
  readonly dtype: DType;
  readonly offset: number;
  readonly length: number;
}

// The stored form of the header, spelt out field by field rather than derived from Snapshot (snapshot.ts), which it
// mirrors: a change to the in-memory snapshot must not change the format of stored snapshots (FORMAT) unnoticed.
interface Header {
  readonly count: number;
  readonly latestRelease: number;
  readonly facets: Record<
    string,
    { readonly codes: ColumnRef; readonly values: readonly string[]; readonly members: readonly (readonly number[])[] }
  >;
  readonly yearCodes: ColumnRef;
  readonly years: readonly number[];
  readonly descriptionCodes: ColumnRef;
  readonly descriptions: readonly string[];
  readonly publishedSec: ColumnRef;
  readonly uidBytes: ColumnRef;
  readonly uidExceptions: readonly (readonly [number, string])[];
}

export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
}

export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const add = (array: CodeArray): ColumnRef => {
    const ref: ColumnRef = { dtype: dtypeOf(array), offset, length: array.length };
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    blobs.push(bytes);
    offset += bytes.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      blobs.push(new Uint8Array(pad));
      offset += pad;
    }
    return ref;
  };
  const facets: Header['facets'] = {};
  for (const facet of FACETS) {
    const column = snapshot.facets[facet];
    facets[facet] = { codes: add(column.codes), values: column.values, members: column.members };
  }
  const header: Header = {
    count: snapshot.count,
    latestRelease: snapshot.latestRelease,
    facets,
    yearCodes: add(snapshot.yearCodes),
    years: snapshot.years,
    descriptionCodes: add(snapshot.descriptionCodes),
    descriptions: snapshot.descriptions,
    publishedSec: add(snapshot.publishedSec),
    uidBytes: add(snapshot.uidBytes),
    uidExceptions: [...snapshot.uidExceptions],
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.writeUInt32LE(MAGIC, 0);
  prefix.writeUInt32LE(FORMAT, 4);
  prefix.writeUInt32LE(headerBytes.byteLength, 8);
  const headerPad = Buffer.alloc((8 - ((12 + headerBytes.byteLength) % 8)) % 8);
  return gzipSync(Buffer.concat([prefix, headerBytes, headerPad, ...blobs]), { level: 6 });
}

export function decodeSnapshot(stored: Uint8Array): Snapshot {
  let raw: Buffer;
  try {
    raw = gunzipSync(stored);
  } catch {
    throw new SnapshotFormatError('the snapshot is not gzip data');
  }
  if (raw.byteLength < 12 || raw.readUInt32LE(0) !== MAGIC) throw new SnapshotFormatError('not a hilum search snapshot');
  if (raw.readUInt32LE(4) !== FORMAT) throw new SnapshotFormatError(`unsupported snapshot format ${raw.readUInt32LE(4)}`);
  const headerLength = raw.readUInt32LE(8);
  const header = JSON.parse(raw.subarray(12, 12 + headerLength).toString('utf8')) as Header;
  const base = 12 + headerLength + ((8 - ((12 + headerLength) % 8)) % 8);
  const column = (ref: ColumnRef): CodeArray => {
    const width = ref.dtype === 'u8' ? 1 : ref.dtype === 'u16' ? 2 : 4;
    const start = base + ref.offset;
    const end = start + ref.length * width;
    if (end > raw.byteLength) throw new SnapshotFormatError('a snapshot column runs past the end');
    const copy = new Uint8Array(raw.subarray(start, end)); // own, aligned buffer
    return ref.dtype === 'u8' ? copy : ref.dtype === 'u16' ? new Uint16Array(copy.buffer) : new Uint32Array(copy.buffer);
  };
  const facets = {} as Record<FacetName, FacetColumn>;
  for (const facet of FACETS) {
    const stored = header.facets[facet];
    if (!stored && ADDED_FACETS.has(facet)) {
      facets[facet] = unknownFacet(header.count);
      continue;
    }
    if (!stored) throw new SnapshotFormatError(`the snapshot lacks the ${facet} facet`);
    facets[facet] = { codes: column(stored.codes), values: stored.values, members: stored.members };
  }
  return {
    count: header.count,
    latestRelease: header.latestRelease,
    facets,
    yearCodes: column(header.yearCodes),
    years: header.years,
    descriptionCodes: column(header.descriptionCodes),
    descriptions: header.descriptions,
    publishedSec: column(header.publishedSec) as Uint32Array,
    uidBytes: column(header.uidBytes) as Uint8Array,
    uidExceptions: new Map(header.uidExceptions),
  };
}

/**
 * Facets added after FORMAT 1 was first written: a snapshot stored before them reads them as
 * `unknown` for every study (the next rebuild fills them), instead of failing every search.
 */
const ADDED_FACETS: ReadonlySet<FacetName> = new Set(['condition']);
function unknownFacet(count: number): FacetColumn {
  return { codes: new Uint8Array(count), values: [UNKNOWN], members: [[0]] };
}

function dtypeOf(array: CodeArray): DType {
  return array instanceof Uint8Array ? 'u8' : array instanceof Uint16Array ? 'u16' : 'u32';
}
