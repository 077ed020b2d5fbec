import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, portableCrc32 } from '../../../layers/common/crc32';

describe('CRC-32 wherever the pure layers run', () => {
  const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31 + (i >> 7)) & 0xff);

  it("is zlib's CRC-32, native or portable, whole or continued part by part", () => {
    expect(portableCrc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(portableCrc32(bytes)).toBe(zlibCrc32(bytes));
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    const parts = [bytes.subarray(0, 5), bytes.subarray(5, 70_000), bytes.subarray(70_000)];
    expect(parts.reduce((crc, part) => portableCrc32(part, crc), 0)).toBe(zlibCrc32(bytes));
    expect(portableCrc32(new Uint8Array(0))).toBe(0);
  });
});
