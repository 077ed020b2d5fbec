/**
 * Builds the DICOM Part 10 header (preamble, "DICM", File Meta group 0002) for a
 * data set received over the network, so the spool holds the sender's bytes
 * exactly, as a file any DICOM tool reads.
 */
export interface FileMetaFields {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly sourceAeTitle?: string;
}

export const HILUM_IMPLEMENTATION_CLASS_UID = '2.25.238409173460513894012571398251766153721';
export const HILUM_IMPLEMENTATION_VERSION = 'HILUM_GATEWAY_1';

export function part10Header(fields: FileMetaFields): Buffer {
  const elements = [
    element(0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 'UI', uid(fields.sopClassUid)),
    element(0x0003, 'UI', uid(fields.sopInstanceUid)),
    element(0x0010, 'UI', uid(fields.transferSyntaxUid)),
    element(0x0012, 'UI', uid(HILUM_IMPLEMENTATION_CLASS_UID)),
    element(0x0013, 'SH', text(HILUM_IMPLEMENTATION_VERSION)),
    ...(fields.sourceAeTitle ? [element(0x0016, 'AE', text(fields.sourceAeTitle))] : []),
  ];
  const body = Buffer.concat(elements);
  const groupLength = element(0x0000, 'UL', uint32(body.length));
  const preamble = Buffer.alloc(128);
  return Buffer.concat([preamble, Buffer.from('DICM', 'latin1'), groupLength, body]);
}

/** Explicit VR Little Endian, as PS3.10 requires for group 0002. */
function element(elementNumber: number, vr: string, value: Buffer): Buffer {
  const longForm = vr === 'OB';
  const header = Buffer.alloc(longForm ? 12 : 8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(elementNumber, 2);
  header.write(vr, 4, 'latin1');
  if (longForm) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** UIDs pad to even length with NUL; text with a space. */
function uid(value: string): Buffer {
  const bytes = Buffer.from(value, 'latin1');
  return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from([0])]) : bytes;
}

function text(value: string): Buffer {
  const bytes = Buffer.from(value, 'latin1');
  return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes;
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value, 0);
  return bytes;
}
