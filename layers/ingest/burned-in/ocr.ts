/**
 * Words read from an 8-bit image with Tesseract (tesseract.js, LSTM engine, English). The
 * traineddata comes from @tesseract.js-data/eng on disk (beside the code in a Lambda bundle, see
 * OCR_FILES), never fetched; the worker is started once per process (a Lambda container) and
 * reused, and thrown away when a recognition overran its budget (it may still be busy).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as Tesseract from 'tesseract.js';
import { readProcCpuSeconds } from '../../common/proc-stat';
import type { CheckBudget } from './budget';
import { asPgm, type OcrImage } from './image';

export interface OcrBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface OcrWord {
  readonly text: string;
  /** Tesseract's confidence in the word, 0..100. */
  readonly confidence: number;
  /**
   * Its confidence in the word's least certain character, 0..100. The word-level figure also weighs
   * the dictionary, which names and IDs are never in: `AKAN^CIACH` is read at 15 with every
   * character above 85 (bench burned-in).
   */
  readonly characterConfidence?: number;
  readonly box: OcrBox;
  /** Index of the line the word is on, to read dates written across words. */
  readonly line: number;
}

export class OcrTimeout extends Error {
  override readonly name = 'OcrTimeout';
}

/** Where a Lambda bundle carries the traineddata (infra copies it beside index.js). */
export const OCR_LANG_DIR = 'tessdata';

function langPath(): string {
  const beside = join(__dirname, OCR_LANG_DIR);
  if (existsSync(join(beside, 'eng.traineddata.gz'))) return beside;
  return (require('@tesseract.js-data/eng') as { langPath: string }).langPath;
}

type WorkerThread = { ref(): void; unref(): void; once(event: 'exit', listener: () => void): unknown };
type WorkerOptions = { eval?: boolean; workerData?: unknown };
type WorkerClass = new (filename: string | URL, options?: WorkerOptions) => WorkerThread;

/** The threads tesseract.js started: held (ref) while they work, let go (unref) while idle. */
const threads = new Set<WorkerThread>();
/** Each thread's Linux thread id, as the thread wrote it when it started (0: not known). */
const threadIds = new WeakMap<WorkerThread, Int32Array>();
let tesseract: typeof Tesseract | undefined;

/**
 * What an OCR worker thread runs: it writes its Linux thread id (from /proc/thread-self) where the
 * thread that started it can read it, a shared Int32Array, then runs tesseract.js's worker script.
 * A recognising worker cannot answer a message, but its CPU time can be read from /proc by its id.
 */
const REPORTING_WORKER = [
  "const { workerData } = require('node:worker_threads');",
  'try {',
  "  const id = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());",
  '  if (Number.isInteger(id)) Atomics.store(workerData.threadId, 0, id);',
  '} catch {}',
  'require(workerData.script);',
].join('\n');

/** CPU milliseconds a thread of this process has spent (utime + stime of /proc/self/task/<id>/stat), or undefined. */
function threadCpuMs(id: number): number | undefined {
  const seconds = readProcCpuSeconds(`/proc/self/task/${id}/stat`, 'own');
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * CPU milliseconds the OCR worker threads have spent since they started, or undefined when one of them
 * cannot be read (no /proc, a thread whose id is not known yet). Their CPU is part of a check's cost (budget.ts).
 * Before any worker runs (it starts with the first page to read), 0 where a worker's CPU will be readable,
 * undefined where it will not (no /proc), so that a check's clock is chosen then as it would be later.
 */
export function ocrThreadsCpuMs(): number | undefined {
  if (threads.size === 0) return threadCpuMs(Number(process.pid)) === undefined ? undefined : 0;
  let sum = 0;
  for (const thread of threads) {
    const id = threadIds.get(thread)?.[0];
    const ms = id ? threadCpuMs(id) : undefined;
    if (ms === undefined) return undefined;
    sum += ms;
  }
  return sum;
}

/**
 * tesseract.js, loaded so that the worker threads it starts are known here: an idle OCR worker
 * must not keep a process alive (a test's Jest, `hilum start`'s handlers, a CLI run), and a busy
 * one must. tesseract.js takes worker_threads' Worker when it loads, so it is given, for that
 * moment only, a subclass that records each thread it makes.
 */
function loadTesseract(): typeof Tesseract {
  if (tesseract) return tesseract;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const workerThreads = require('node:worker_threads') as { Worker: WorkerClass };
  const Original = workerThreads.Worker;
  class TrackedWorker extends Original {
    constructor(filename: string | URL, options?: WorkerOptions) {
      // tesseract.js starts its worker from a script path, without options; anything else starts as asked.
      const threadId = new Int32Array(new SharedArrayBuffer(4));
      const reporting = typeof filename === 'string' && !options?.eval && options?.workerData === undefined;
      super(
        reporting ? REPORTING_WORKER : filename,
        reporting ? { ...options, eval: true, workerData: { script: filename, threadId } } : options,
      );
      threads.add(this);
      if (reporting) threadIds.set(this, threadId);
      this.once('exit', () => threads.delete(this));
    }
  }
  workerThreads.Worker = TrackedWorker;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tesseract = require('tesseract.js') as typeof Tesseract;
  } finally {
    workerThreads.Worker = Original;
  }
  return tesseract;
}

let busy = 0;
/** Runs `work` with the OCR threads keeping the process alive; once nothing runs, they are let go. */
async function holding<T>(work: () => Promise<T>): Promise<T> {
  busy++;
  for (const thread of threads) thread.ref();
  try {
    return await work();
  } finally {
    if (--busy === 0) for (const thread of threads) thread.unref();
  }
}

/**
 * Tesseract's settings for the ink page. `tessedit_do_invert` off: by default every line read with low
 * confidence is read again inverted, in case it is light text on a dark ground; flatten.ts has already
 * made every text dark on white, so the second reading only re-reads noise (half of the OCR time of the
 * NIH chest fixture, read whole).
 */
const OCR_PARAMETERS: Readonly<Partial<Tesseract.WorkerParams>> = { tessedit_do_invert: '0' };

let started: Promise<Tesseract.Worker> | undefined;

async function configured(worker: Tesseract.Worker): Promise<Tesseract.Worker> {
  await worker.setParameters(OCR_PARAMETERS);
  return worker;
}

function worker(): Promise<Tesseract.Worker> {
  if (!started) {
    const { createWorker, OEM } = loadTesseract();
    started = holding(() =>
      createWorker('eng', OEM.LSTM_ONLY, { langPath: langPath(), cacheMethod: 'none', gzip: true }).then(configured),
    ).catch((error: unknown) => {
      started = undefined;
      throw error;
    });
  }
  return started;
}

/** Worker start (once per process: traineddata and WebAssembly) may take this long before the check is given up as ocr-failed. */
const WORKER_START_LIMIT_MS = 60_000;

/**
 * Starts the process's worker if it is not running: a Lambda container (or a CLI run) pays this once,
 * so it is not counted in an image's budget.
 */
export async function startOcr(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      worker(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the OCR worker did not start')), WORKER_START_LIMIT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Terminates the process's worker (tests and the bench end with it; a timed-out one is dropped by recognizeWords). */
export async function stopOcr(): Promise<void> {
  const current = started;
  started = undefined;
  if (current) await (await current).terminate().catch(() => undefined);
}

/** How often a running recognition's budget is looked at (the worker thread cannot be asked; its CPU time in /proc, or the process's, can be read). */
const BUDGET_POLL_MS = 20;

/** The words Tesseract finds, boxes in the OCR image's pixels; rejects with OcrTimeout once `budget` is overrun. */
export async function recognizeWords(image: OcrImage, budget: CheckBudget): Promise<OcrWord[]> {
  if (budget.overrun()) throw new OcrTimeout('the OCR budget was spent before recognition');
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if (budget.overrun()) reject(new OcrTimeout('OCR did not finish within its budget'));
    }, BUDGET_POLL_MS);
  });
  const current = worker();
  try {
    // Held only until the answer or the overrun: a timed-out worker is terminated below, its job may never settle.
    const result = await holding(() =>
      Promise.race([current.then((w) => w.recognize(Buffer.from(asPgm(image)), {}, { blocks: true, text: false })), overrun]),
    );
    const words: OcrWord[] = [];
    let line = 0;
    for (const block of result.data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const textLine of paragraph.lines) {
          for (const word of textLine.words) {
            const { x0, y0, x1, y1 } = word.bbox;
            const characters = word.symbols.map((symbol) => symbol.confidence);
            words.push({
              text: word.text,
              confidence: word.confidence,
              characterConfidence: characters.length > 0 ? Math.min(...characters) : undefined,
              box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
              line,
            });
          }
          line++;
        }
      }
    }
    return words;
  } catch (error) {
    if (error instanceof OcrTimeout && started === current) {
      started = undefined;
      void current.then((w) => w.terminate()).catch(() => undefined);
    }
    throw error;
  } finally {
    clearInterval(timer);
  }
}
