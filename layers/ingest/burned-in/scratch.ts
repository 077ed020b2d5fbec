/**
 * The burned-in check's large arrays, kept from one check to the next in the thread that runs them: the
 * ink page (five million bytes for a 2,048 x 2,500 radiograph), the ink components' visited bits and
 * their pixel list. Fresh arrays of that size cost twice per check where the check runs beside other
 * work (a commons' function thread, `hilum upload`): new memory's pages fault in as they are first
 * written, and every ~64 MB of ArrayBuffers allocated brings the next full garbage collection closer.
 *
 * The list of the ink page's inked 4-pixel groups is kept the same way.
 *
 * A check holds its scratch by a lease (withScratch) from its first array to the end of its OCR, whose
 * page may be the ink page itself. The check is async (it awaits the decoder and Tesseract), so a second
 * check could start in the same thread while the first waits: it is then given arrays of its own, never
 * the held ones. detect.ts runs a thread's checks one after another, so in practice one scratch serves
 * them all. A kept scratch is as large as the largest page checked in the thread: at most maxDimension
 * squared bytes for the page (the fused path only takes pages that fit), four bytes a pixel of ink and a
 * group of four pixels with ink.
 */
export class CheckScratch {
  private page = new Uint8Array(0);
  private visited = new Uint32Array(0);
  private pixels = new Int32Array(0);
  private quads = new Int32Array(0);

  /** `length` bytes for the ink page, left as the last check wrote them: the caller writes every one before reading it. */
  pageBytes(length: number): Uint8Array {
    if (this.page.length < length) this.page = new Uint8Array(length);
    return this.page.subarray(0, length);
  }

  /** `length` 32-bit words of visited bits, all clear. */
  visitedBits(length: number): Uint32Array {
    if (this.visited.length < length) this.visited = new Uint32Array(length);
    const bits = this.visited.subarray(0, length);
    bits.fill(0);
    return bits;
  }

  /** The pixel list of ink components: at least `length` entries, contents undefined. */
  pixelList(length: number): Int32Array {
    if (this.pixels.length < length) this.pixels = new Int32Array(length);
    return this.pixels;
  }

  /** The pixel list as pixelList or grownPixelList last handed it out, its entries kept. */
  pixelListInUse(): Int32Array {
    return this.pixels;
  }

  /** A longer pixel list, the first `used` entries kept, and kept for the next check. */
  grownPixelList(used: number): Int32Array {
    this.pixels = grown(this.pixels, used);
    return this.pixels;
  }

  /** The list of an ink page's inked 4-pixel groups (flatten.ts): at least `length` entries, contents undefined. */
  quadList(length: number): Int32Array {
    if (this.quads.length < length) this.quads = new Int32Array(length);
    return this.quads;
  }

  /** The list of inked groups as quadList or grownQuadList last handed it out, its entries kept. */
  quadListInUse(): Int32Array {
    return this.quads;
  }

  /** A longer list of inked groups, the first `used` entries kept, and kept for the next check. */
  grownQuadList(used: number): Int32Array {
    this.quads = grown(this.quads, used);
    return this.quads;
  }
}

function grown(list: Int32Array, used: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(Math.max(4096, list.length * 2));
  larger.set(list.subarray(0, used));
  return larger;
}

/** The thread's scratch while no check holds it. */
let idle: CheckScratch | undefined;

/**
 * Runs `work` with the thread's scratch (a new one when none is idle: the first check, or a check that
 * started while another holds it). The arrays it hands out are not to be used after `work` settles.
 */
export async function withScratch<T>(work: (scratch: CheckScratch) => Promise<T>): Promise<T> {
  const scratch = idle ?? new CheckScratch();
  idle = undefined;
  try {
    return await work(scratch);
  } finally {
    idle ??= scratch;
  }
}
