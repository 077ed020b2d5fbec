import { detached, ReusedMemory } from '../../../layers/common/reused-memory';

const KiB = 1024;

describe('ReusedMemory: memory lent per object and taken back', () => {
  it("lends the memory a released lease gave back, with that lease's bytes still in it", () => {
    const memory = new ReusedMemory({ keep: 1, largest: 64 * KiB, granularity: 16 * KiB });
    const first = memory.lease(10 * KiB);
    first.bytes.fill(0x5a);
    first.release();
    const second = memory.lease(12 * KiB);
    expect(second.bytes.byteLength).toBe(12 * KiB);
    // The same memory, not zeroed: what the borrower reads it must have written.
    expect(second.bytes[0]).toBe(0x5a);
    expect(memory.allocated).toBe(1);
  });

  it('detaches every view of a released lease: a holder reads nothing, never the next lease', () => {
    const memory = new ReusedMemory({ keep: 1, largest: 64 * KiB });
    const first = memory.lease(4 * KiB);
    first.bytes.fill(1);
    const views = [first.bytes, first.bytes.subarray(100, 200), Buffer.from(first.bytes.buffer, 0, 4 * KiB)];
    first.release();
    const next = memory.lease(4 * KiB);
    next.bytes.fill(2);
    for (const view of views) {
      expect(view.byteLength).toBe(0);
      expect(view[0]).toBeUndefined();
    }
    expect(next.bytes[0]).toBe(2);
  });

  it('gives leases held at once memory of their own, and keeps at most `keep` of them', () => {
    const memory = new ReusedMemory({ keep: 2, largest: 64 * KiB, granularity: KiB });
    const held = [memory.lease(KiB), memory.lease(KiB), memory.lease(KiB)];
    held.forEach((lease, i) => lease.bytes.fill(i + 1));
    expect(held.map((lease) => lease.bytes[0])).toEqual([1, 2, 3]);
    for (const lease of held) lease.release();
    expect(memory.allocated).toBe(3);
    memory.lease(KiB);
    memory.lease(KiB);
    expect(memory.allocated).toBe(3);
    memory.lease(KiB);
    expect(memory.allocated).toBe(4);
  });

  it('gives memory back once however often a lease is released', () => {
    const memory = new ReusedMemory({ keep: 2, largest: 64 * KiB });
    const lease = memory.lease(KiB);
    lease.release();
    lease.release();
    memory.lease(KiB);
    memory.lease(KiB);
    expect(memory.allocated).toBe(2);
  });

  it('keeps no memory of a lease larger than `largest`, and lends the smallest kept buffer that fits', () => {
    const memory = new ReusedMemory({ keep: 4, largest: 64 * KiB, granularity: 16 * KiB });
    const large = memory.lease(100 * KiB);
    expect(large.bytes.buffer.byteLength).toBe(100 * KiB);
    large.release();
    const [small, middle] = [memory.lease(10 * KiB), memory.lease(40 * KiB)];
    expect(memory.allocated).toBe(3);
    small.release();
    middle.release();
    expect(memory.lease(5 * KiB).bytes.buffer.byteLength).toBe(16 * KiB);
    expect(memory.lease(20 * KiB).bytes.buffer.byteLength).toBe(48 * KiB);
    expect(memory.allocated).toBe(3);
  });

  it('refuses a length that is not a byte count', () => {
    const memory = new ReusedMemory({ keep: 1, largest: KiB });
    expect(() => memory.lease(-1)).toThrow(RangeError);
    expect(() => memory.lease(1.5)).toThrow(RangeError);
  });
});

describe('detached: memory moved without a copy, its old views emptied', () => {
  const transfer = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'transfer');
  afterEach(() => {
    if (transfer) Object.defineProperty(ArrayBuffer.prototype, 'transfer', transfer);
  });

  it.each([
    ['with ArrayBuffer.prototype.transfer', false],
    ['without it, as on Node 20', true],
  ])('%s', (_name, withoutTransfer) => {
    if (withoutTransfer) Reflect.deleteProperty(ArrayBuffer.prototype, 'transfer');
    expect(typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer).toBe(withoutTransfer ? 'undefined' : 'function');
    const memory = new ArrayBuffer(8);
    const view = new Uint8Array(memory);
    view.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const moved = detached(memory);
    expect(memory.byteLength).toBe(0);
    expect(view.byteLength).toBe(0);
    expect([...new Uint8Array(moved)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
