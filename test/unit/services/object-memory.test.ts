import { keptObjectMemory, objectMemory } from '../../../layers/services/object-memory';

describe('objectMemory', () => {
  it('gives the original back on its own once the copy is elsewhere, and the rest with release()', () => {
    const memory = objectMemory();
    const original = memory.original(1000).fill(1);
    const copy = memory.copy(900).fill(2);
    memory.releaseOriginal(copy);
    expect(original.byteLength).toBe(0);
    expect(copy.byteLength).toBe(900);
    // The next object's read takes the memory the original gave back.
    const allocated = keptObjectMemory.allocated;
    const next = objectMemory();
    next.original(1000);
    expect(keptObjectMemory.allocated).toBe(allocated);
    memory.release();
    next.release();
    expect(copy.byteLength).toBe(0);
  });

  it('keeps the original while the copy is a view of it (a file kept as received), until release()', () => {
    const memory = objectMemory();
    const original = memory.original(500).fill(3);
    memory.releaseOriginal(original.subarray(0, 100));
    expect(original.byteLength).toBe(500);
    expect([...original.subarray(0, 3)]).toEqual([3, 3, 3]);
    memory.release();
    expect(original.byteLength).toBe(0);
    // Twice is once.
    memory.release();
  });
});
