/**
 * The buffers the local S3's direct object path reads whole objects into (`local/emulators/s3-read-buffers.ts`):
 * lent, taken back, lent again; the smallest that fits; the largest kept.
 */
import { createReadBuffers } from '../../../local/emulators/s3-read-buffers';

describe('read buffers', () => {
  it('lends a buffer taken back again instead of allocating another', () => {
    const buffers = createReadBuffers({ granularity: 1024 });
    const first = buffers.borrow(1000);
    buffers.giveBack(first);
    expect(buffers.borrow(900)).toBe(first);
    expect(buffers.allocated).toBe(1);
  });

  it('allocates a rounded-up size, and a new buffer while every kept one is lent or too small', () => {
    const buffers = createReadBuffers({ granularity: 1024 });
    const lent = buffers.borrow(1500);
    expect(lent.length).toBe(2048);
    expect(buffers.borrow(10)).not.toBe(lent);
    buffers.giveBack(lent);
    expect(buffers.borrow(3000).length).toBe(3072);
    expect(buffers.allocated).toBe(3);
  });

  it('lends the smallest kept buffer that fits', () => {
    const buffers = createReadBuffers({ granularity: 1024 });
    const [large, small] = [buffers.borrow(4096), buffers.borrow(1024)];
    buffers.giveBack(large);
    buffers.giveBack(small);
    expect([buffers.borrow(1000), buffers.borrow(1000)]).toEqual([small, large]);
  });

  it('keeps at most `keep` buffers, the largest', () => {
    const buffers = createReadBuffers({ granularity: 1024, keep: 2 });
    const lent = [3, 1, 2].map((k) => buffers.borrow(k * 1024));
    for (const b of lent) buffers.giveBack(b);
    expect([buffers.borrow(1), buffers.borrow(1)].map((b) => b.length)).toEqual([2048, 3072]);
    expect(buffers.borrow(1)).not.toBe(lent[1]);
    expect(buffers.allocated).toBe(4);
  });
});
