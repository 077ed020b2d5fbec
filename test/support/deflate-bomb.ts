/**
 * A decompression bomb as a site could send one: a Deflated Explicit VR Little
 * Endian instance whose Pixel Data is a long run of zeros (Rows x Columns match
 * it, so it is an otherwise valid image). Deflate compresses zeros about 1000:1,
 * so a gigabyte of pixels travels as about a megabyte. The data set is streamed
 * through zlib in 1 MiB pieces: the bomb is never held inflated by the test.
 */
import { once } from 'node:events';
import { createDeflateRaw } from 'node:zlib';
import { readDicomFile, writeDicomFile, type DataSet } from '../../layers/dicom/dcmjs';
import { makeDicom, type SyntheticDicomOptions } from './synthetic-dicom';

const DEFLATED_EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
const COLUMNS = 16_384;
const CHUNK = 1024 * 1024;

/** Where a Part 10 file's data set starts: after the File Meta group, by its group length (0002,0000). */
function dataSetStart(bytes: Uint8Array): number {
  return 144 + new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(140, true);
}

/** An explicit VR little endian OW element header with a 32-bit length. */
function owHeader(group: number, element: number, length: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.write('OW', 4, 'latin1');
  header.writeUInt32LE(length, 8);
  return header;
}

/**
 * A deflated instance whose data set inflates to a little more than `pixelBytes`
 * (a multiple of 32 KiB, below 4 GiB) of zero pixels.
 */
export async function makeDeflateBomb(pixelBytes: number, options: SyntheticDicomOptions = {}): Promise<Buffer> {
  const rowBytes = COLUMNS * 2;
  if (pixelBytes % rowBytes !== 0 || pixelBytes / rowBytes > 0xffff)
    throw new Error(`pixelBytes must be a multiple of ${rowBytes} with at most 65535 rows`);
  // The header of a small synthetic instance, its Pixel Data emptied (the real one is streamed below).
  const elements: DataSet = {
    ...options.elements,
    '00280010': { vr: 'US', Value: [pixelBytes / rowBytes] },
    '00280011': { vr: 'US', Value: [COLUMNS] },
    '7FE00010': { vr: 'OW', Value: [new ArrayBuffer(0)] },
  };
  const explicit = makeDicom({ ...options, privateBlock: false, elements });
  const emptyPixelData = owHeader(0x7fe0, 0x0010, 0);
  const headerEnd = explicit.byteLength - emptyPixelData.byteLength;
  if (!Buffer.from(explicit.subarray(headerEnd)).equals(emptyPixelData)) throw new Error('expected the emptied Pixel Data last');
  const dataSetHeader = explicit.subarray(dataSetStart(explicit), headerEnd);

  // The File Meta of the same instance, naming the deflated transfer syntax.
  const { '00020000': _groupLength, ...explicitMeta } = readDicomFile(explicit).meta;
  const metaOnly = writeDicomFile({
    meta: { ...explicitMeta, '00020010': { vr: 'UI', Value: [DEFLATED_EXPLICIT_LITTLE_ENDIAN] } },
    dict: {},
  });
  const meta = metaOnly.subarray(0, dataSetStart(metaOnly));

  const deflate = createDeflateRaw({ level: 9, memLevel: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(deflate, 'end');
  const write = async (chunk: Uint8Array): Promise<void> => {
    if (!deflate.write(chunk)) await once(deflate, 'drain');
  };
  await write(dataSetHeader);
  await write(owHeader(0x7fe0, 0x0010, pixelBytes));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = pixelBytes; left > 0; left -= CHUNK) await write(left >= CHUNK ? zeros : zeros.subarray(0, left));
  deflate.end();
  await ended;
  return Buffer.concat([meta, ...out]);
}
