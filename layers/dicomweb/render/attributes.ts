/**
 * What rendering needs from an instance's header besides the pixel description: the
 * Modality LUT (Rescale Slope/Intercept or a Modality LUT Sequence), the VOI (Window
 * Center/Width with its function, or a VOI LUT Sequence) and the palette of PALETTE
 * COLOR images. A multi-frame object's functional groups (per frame, then shared)
 * take precedence over the top level, as PS3.3 C.7.6.16 says.
 */
import type { DataSet, ElementValue } from '../../dicom';
import type { VoiFunction } from './parameters';

/** A LUT (PS3.3 C.11.1.1): entry i maps the input firstMapped + i; inputs outside clamp to the ends. */
export interface Lut {
  readonly firstMapped: number;
  readonly bits: number;
  readonly data: Uint16Array;
}

export interface HeaderWindow {
  readonly center: number;
  readonly width: number;
}

export interface RenderAttributes {
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly modalityLut?: Lut;
  /** Every window of the header, in order; rendering uses the first. */
  readonly windows: readonly HeaderWindow[];
  readonly voiFunction: VoiFunction;
  /** The first VOI LUT of the header. */
  readonly voiLut?: Lut;
  readonly palette?: { readonly red: Lut; readonly green: Lut; readonly blue: Lut };
}

const T = {
  rescaleIntercept: '00281052',
  rescaleSlope: '00281053',
  windowCenter: '00281050',
  windowWidth: '00281051',
  voiLutFunction: '00281056',
  modalityLutSequence: '00283000',
  voiLutSequence: '00283010',
  lutDescriptor: '00283002',
  lutData: '00283006',
  redDescriptor: '00281101',
  greenDescriptor: '00281102',
  blueDescriptor: '00281103',
  redData: '00281201',
  greenData: '00281202',
  blueData: '00281203',
  sharedGroups: '52009229',
  perFrameGroups: '52009230',
  frameVoiLut: '00289132',
  pixelValueTransformation: '00289145',
} as const;

const values = (ds: DataSet | undefined, tag: string): readonly ElementValue[] => ds?.[tag as keyof DataSet]?.Value ?? [];

const numbers = (ds: DataSet | undefined, tag: string): number[] =>
  values(ds, tag)
    .map((v) => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN))
    .filter((n) => Number.isFinite(n));

const firstItem = (ds: DataSet | undefined, tag: string): DataSet | undefined => {
  const item = values(ds, tag)[0];
  return item && typeof item === 'object' && !(item instanceof ArrayBuffer) && !('Alphabetic' in item) ? (item as DataSet) : undefined;
};

const items = (ds: DataSet | undefined, tag: string): DataSet[] =>
  values(ds, tag).filter((v): v is DataSet => !!v && typeof v === 'object' && !(v instanceof ArrayBuffer));

/** LUT Data as 16-bit entries: US values as numbers, OW as bytes (little endian, as dcmjs hands them over). */
function lutEntries(ds: DataSet, dataTag: string, count: number, bits: number): Uint16Array | undefined {
  const raw = values(ds, dataTag);
  const first = raw[0];
  let entries: Uint16Array;
  if (first instanceof ArrayBuffer) {
    const bytes = new Uint8Array(first);
    // An 8-bit palette may be packed two entries to a 16-bit word (PS3.3 C.7.6.3.1.6).
    if (bits <= 8 && bytes.byteLength === count) entries = Uint16Array.from(bytes);
    else entries = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1)));
  } else {
    entries = Uint16Array.from(raw.filter((v): v is number => typeof v === 'number'));
  }
  if (entries.length < count) return undefined;
  return entries.length === count ? entries : entries.subarray(0, count);
}

function readLut(ds: DataSet | undefined, descriptorTag: string, dataTag: string): Lut | undefined {
  if (!ds) return undefined;
  const [entries, firstMapped, bits] = numbers(ds, descriptorTag);
  if (entries === undefined || firstMapped === undefined || bits === undefined) return undefined;
  const count = entries === 0 ? 65536 : entries;
  const data = lutEntries(ds, dataTag, count, bits);
  return data ? { firstMapped, bits, data } : undefined;
}

function voiFunctionOf(ds: DataSet | undefined): VoiFunction | undefined {
  const fn = values(ds, T.voiLutFunction)[0];
  if (typeof fn !== 'string') return undefined;
  const name = fn.trim().toUpperCase();
  return name === 'LINEAR' || name === 'LINEAR_EXACT' || name === 'SIGMOID' ? name : undefined;
}

function windowsOf(ds: DataSet | undefined): HeaderWindow[] {
  const centers = numbers(ds, T.windowCenter);
  const widths = numbers(ds, T.windowWidth);
  return centers.flatMap((center, i) => {
    const width = widths[i];
    return width !== undefined && width > 0 ? [{ center, width }] : [];
  });
}

/** The rendering attributes of a frame (0-based index) of an instance. */
export function renderAttributes(dict: DataSet, frameIndex = 0): RenderAttributes {
  const perFrame = items(dict, T.perFrameGroups)[frameIndex];
  const shared = firstItem(dict, T.sharedGroups);
  const scopes = [perFrame, shared].filter((s): s is DataSet => !!s);

  const rescaleScope =
    scopes.map((s) => firstItem(s, T.pixelValueTransformation)).find((s) => s && numbers(s, T.rescaleSlope).length > 0) ?? dict;
  const voiScope = scopes.map((s) => firstItem(s, T.frameVoiLut)).find((s) => s && windowsOf(s).length > 0) ?? dict;

  const slope = numbers(rescaleScope, T.rescaleSlope)[0];
  const intercept = numbers(rescaleScope, T.rescaleIntercept)[0];
  const modalityLut = readLut(firstItem(dict, T.modalityLutSequence), T.lutDescriptor, T.lutData);
  const voiLut = readLut(firstItem(dict, T.voiLutSequence), T.lutDescriptor, T.lutData);
  const red = readLut(dict, T.redDescriptor, T.redData);
  const green = readLut(dict, T.greenDescriptor, T.greenData);
  const blue = readLut(dict, T.blueDescriptor, T.blueData);
  return {
    rescaleSlope: slope === undefined || slope === 0 ? 1 : slope,
    rescaleIntercept: intercept ?? 0,
    modalityLut,
    windows: windowsOf(voiScope),
    voiFunction: voiFunctionOf(voiScope) ?? 'LINEAR',
    voiLut,
    palette: red && green && blue ? { red, green, blue } : undefined,
  };
}
