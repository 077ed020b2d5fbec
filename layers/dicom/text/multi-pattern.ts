/**
 * Many patterns found in one pass (Aho-Corasick): a trie of the patterns with
 * failure links, walked one symbol at a time. Symbols are non-negative integers
 * below 0x110000 (code points or bytes), so the same automaton serves the text
 * cleaner (folded code points) and the verifier (lowercased bytes).
 *
 * Time: building is linear in the total pattern length; a walk is linear in
 * the text (amortized: each symbol moves at most one edge down, and every
 * failure link followed moves up) plus the matches visited. Memory: a few typed
 * arrays per node, with the edges in one open-addressing hash table, so nothing
 * grows with the text and no step recurses: a megabyte pattern is only a long
 * trie branch (a single regular expression of it could not even compile).
 */

/** The largest symbol plus one: every Unicode code point fits. */
export const SYMBOLS = 0x110000;

const EMPTY = -1;

/** The edges (state, symbol) -> state, open addressing with linear probing over typed arrays. */
class EdgeTable {
  private readonly from: Int32Array;
  private readonly symbol: Int32Array;
  private readonly to: Int32Array;
  private readonly mask: number;

  constructor(edges: number) {
    let capacity = 16;
    while (capacity < edges * 2) capacity *= 2;
    this.from = new Int32Array(capacity).fill(EMPTY);
    this.symbol = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  private slot(state: number, symbol: number): number {
    let h = Math.imul(state, 0x9e3779b1) ^ Math.imul(symbol + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    return h & this.mask;
  }

  get(state: number, symbol: number): number {
    for (let i = this.slot(state, symbol); ; i = (i + 1) & this.mask) {
      const f = this.from[i] as number;
      if (f === EMPTY) return EMPTY;
      if (f === state && this.symbol[i] === symbol) return this.to[i] as number;
    }
  }

  set(state: number, symbol: number, to: number): void {
    let i = this.slot(state, symbol);
    while (this.from[i] !== EMPTY) i = (i + 1) & this.mask;
    this.from[i] = state;
    this.symbol[i] = symbol;
    this.to[i] = to;
  }
}

export class MultiPattern {
  /** The root: the state before any symbol. */
  static readonly START = 0;

  readonly patternCount: number;
  private readonly lengths: Int32Array;
  private readonly edges: EdgeTable;
  /** Failure link: the state of the longest proper suffix of this state's path that is also a trie path. */
  private readonly fail: Int32Array;
  /** The first pattern whose whole path is this state, or EMPTY; `samePattern` chains its duplicates. */
  private readonly terminal: Int32Array;
  private readonly samePattern: Int32Array;
  /** The nearest state along the failure links that ends a pattern, or EMPTY. */
  private readonly nextTerminal: Int32Array;

  /** `patterns` must not be empty sequences; symbols must lie in [0, SYMBOLS). */
  constructor(patterns: ReadonlyArray<ArrayLike<number>>) {
    this.patternCount = patterns.length;
    this.lengths = new Int32Array(patterns.length);
    let total = 0;
    for (const [i, p] of patterns.entries()) {
      if (p.length === 0) throw new RangeError('a pattern must not be empty');
      this.lengths[i] = p.length;
      total += p.length;
    }
    const capacity = total + 1;
    this.edges = new EdgeTable(total);
    const parent = new Int32Array(capacity);
    const via = new Int32Array(capacity);
    const depth = new Int32Array(capacity);
    this.terminal = new Int32Array(capacity).fill(EMPTY);
    this.samePattern = new Int32Array(patterns.length).fill(EMPTY);
    const lastSame = new Int32Array(capacity).fill(EMPTY);
    let states = 1;
    for (const [i, p] of patterns.entries()) {
      let state = MultiPattern.START;
      for (let k = 0; k < p.length; k += 1) {
        const symbol = p[k] as number;
        if (!(symbol >= 0 && symbol < SYMBOLS)) throw new RangeError('a pattern symbol is out of range');
        let child = this.edges.get(state, symbol);
        if (child === EMPTY) {
          child = states;
          states += 1;
          this.edges.set(state, symbol, child);
          parent[child] = state;
          via[child] = symbol;
          depth[child] = k + 1;
        }
        state = child;
      }
      // Duplicates keep their order: the first added is visited first.
      const last = lastSame[state] as number;
      if (last === EMPTY) this.terminal[state] = i;
      else this.samePattern[last] = i;
      lastSame[state] = i;
    }
    this.fail = new Int32Array(states);
    this.nextTerminal = new Int32Array(states).fill(EMPTY);
    // Breadth first (by depth, a counting sort): a state's failure link is shallower, so already known.
    const byDepth = new Int32Array(states);
    const starts = new Int32Array(capacity + 1);
    for (let s = 1; s < states; s += 1) starts[(depth[s] as number) + 1] = (starts[(depth[s] as number) + 1] as number) + 1;
    for (let d = 1; d <= capacity; d += 1) starts[d] = (starts[d] as number) + (starts[d - 1] as number);
    for (let s = 1; s < states; s += 1) {
      const d = depth[s] as number;
      byDepth[starts[d] as number] = s;
      starts[d] = (starts[d] as number) + 1;
    }
    for (let k = 0; k < states - 1; k += 1) {
      const s = byDepth[k] as number;
      const up = parent[s] as number;
      let f = MultiPattern.START;
      if (up !== MultiPattern.START) {
        f = this.next(this.fail[up] as number, via[s] as number);
      }
      this.fail[s] = f;
      this.nextTerminal[s] = this.terminal[f] !== EMPTY ? f : (this.nextTerminal[f] as number);
    }
  }

  /** The state after `symbol` from `state`. */
  next(state: number, symbol: number): number {
    for (;;) {
      const to = this.edges.get(state, symbol);
      if (to !== EMPTY) return to;
      if (state === MultiPattern.START) return MultiPattern.START;
      state = this.fail[state] as number;
    }
  }

  /** Length of a pattern (in symbols). */
  length(pattern: number): number {
    return this.lengths[pattern] as number;
  }

  /**
   * Every pattern that ends at the symbol that led to `state`, longest first
   * (duplicates in the order added). `visit` returns true to stop early.
   */
  forEachMatch(state: number, visit: (pattern: number) => boolean | void): void {
    for (
      let s = this.terminal[state] !== EMPTY ? state : (this.nextTerminal[state] as number);
      s !== EMPTY;
      s = this.nextTerminal[s] as number
    ) {
      for (let p = this.terminal[s] as number; p !== EMPTY; p = this.samePattern[p] as number) if (visit(p) === true) return;
    }
  }

  /** Whether any pattern ends at the symbol that led to `state` (cheaper than forEachMatch when most states end none). */
  endsAny(state: number): boolean {
    return this.terminal[state] !== EMPTY || this.nextTerminal[state] !== EMPTY;
  }
}
