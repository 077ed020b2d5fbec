import { LAMBDA_HANDLER_LOGS, LAMBDA_METRICS_LOGS, type UsageMeter } from './usage-meter';

/**
 * Counts the log records the handlers' Powertools logger writes, as CloudWatch Logs would ingest them, and
 * keeps them off the terminal: `bench cost` runs the handlers at their configured level and prices what
 * they log. Whatever else is written passes through.
 *
 * In AWS a record is one line of compact JSON (`{"level":"INFO","message":...}`) and one log event; the
 * local commons sets POWERTOOLS_DEV, which prints it indented over several lines (from a line `{` to a
 * line `}`), so a record is counted at its compact size whichever way it was printed. Records are counted
 * at the process's stdout and stderr, where the handlers write whether they run on the commons' thread
 * or in a worker thread (a worker's output is piped into the process's). Under active tracing Powertools
 * adds the invocation's X-Ray trace id to each record, which locally is absent: its bytes are added.
 *
 * The handlers' metrics reach CloudWatch the same way, as one embedded metric format (EMF) record per invocation
 * (`{"_aws":{...}}`, one line, no trace id), billed as log ingestion too; POWERTOOLS_DEV turns them off locally
 * unless the commons is started with `handlerMetrics` (local/commons.ts), as `bench cost` does.
 */

/** `,"xray_trace_id":"1-6754a2c0-0123456789abcdef01234567"`: what Powertools adds to a record under active tracing. */
export const XRAY_TRACE_ID_FIELD_BYTES = Buffer.byteLength(',"xray_trace_id":"1-6754a2c0-0123456789abcdef01234567"');

const LEVELS: ReadonlySet<string> = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL']);

/** A Powertools record's source and the bytes it ingests in AWS (compact, newline, a log record's trace id), or undefined when the text is none. */
export function powertoolsRecord(text: string): { readonly source: string; readonly bytes: number } | undefined {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!record || typeof record !== 'object') return undefined;
  const compact = Buffer.byteLength(JSON.stringify(record)) + 1;
  if (isEmf(record)) return { source: LAMBDA_METRICS_LOGS, bytes: compact };
  if (!LEVELS.has(String((record as { level?: unknown }).level))) return undefined;
  return { source: LAMBDA_HANDLER_LOGS, bytes: compact + ('xray_trace_id' in record ? 0 : XRAY_TRACE_ID_FIELD_BYTES) };
}

/** The bytes a Powertools log record ingests in AWS (compact, newline, trace id), or undefined when the text is none. */
export function powertoolsRecordBytes(text: string): number | undefined {
  const record = powertoolsRecord(text);
  return record?.source === LAMBDA_HANDLER_LOGS ? record.bytes : undefined;
}

function isEmf(record: object): boolean {
  const aws = (record as { _aws?: { CloudWatchMetrics?: unknown } })._aws;
  return Array.isArray(aws?.CloudWatchMetrics);
}

/** Splits written text into lines, counts the Powertools records (log and EMF) and returns the rest to pass through. */
export class PowertoolsLogCounter {
  private pending = '';
  /** The lines of an indented record being read (from its line `{`). */
  private block: string[] | undefined;

  constructor(private readonly count: (bytes: number, source: string) => void) {}

  /** Takes a chunk of written text; returns what is not a Powertools record ('' for nothing). */
  push(text: string): string {
    const lines = (this.pending + text).split('\n');
    const partial = lines.pop() ?? '';
    let passed = '';
    for (const line of lines) {
      if (this.block) {
        this.block.push(line);
        if (line !== '}') continue;
        const record = this.block.join('\n');
        this.block = undefined;
        passed += this.counted(record) ? '' : `${record}\n`;
      } else if (line === '{') this.block = [line];
      else if (!line.startsWith('{"') || !this.counted(line)) passed += `${line}\n`;
    }
    // A partial line that may belong to a record waits for its end; other text (a prompt, a progress mark) goes at once.
    if (partial === '' || this.block || partial.startsWith('{')) this.pending = partial;
    else {
      this.pending = '';
      passed += partial;
    }
    return passed;
  }

  private counted(text: string): boolean {
    const record = powertoolsRecord(text);
    if (!record) return false;
    this.count(record.bytes, record.source);
    return true;
  }
}

type Write = NodeJS.WriteStream['write'];

/** Meters the handlers' log lines written to these streams until the returned function restores them. */
export function meterHandlerLogs(meter: UsageMeter, streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): () => void {
  const restores = streams.map((stream) => {
    const original: Write = stream.write;
    const counter = new PowertoolsLogCounter((bytes, source) => meter.logIngestion(source, bytes, 1));
    const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const done = (typeof encoding === 'function' ? encoding : callback) as ((error?: Error | null) => void) | undefined;
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const passed = counter.push(text);
      if (passed) return original.call(stream, passed, 'utf8', done);
      if (done) process.nextTick(done);
      return true;
    };
    stream.write = write as Write;
    return () => {
      stream.write = original;
    };
  });
  return () => {
    for (const restore of restores) restore();
  };
}
