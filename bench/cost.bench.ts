/**
 * `npm run bench cost [-- --ct N --radiographs N --radiograph-size PX --function-workers N]`: what the ingest run of
 * `npm run bench ingest` (bench/ingest-run.ts) would cost in AWS, priced from what the local
 * commons counted while it ran (local/usage-meter.ts: API requests, Lambda invocations and
 * GB-seconds, S3 requests by class, DynamoDB read and write units as DynamoDB Local reports them,
 * EventBridge events, SQS and Pipes requests (the batch ingest's queue and pipe), CloudWatch Logs bytes: the workflows' history events at their logging level, Lambda's
 * own lines, the handlers' at their configured level and their metrics' EMF records; Step Functions transitions from the executions) with the list prices of
 * bench/data/aws-list-prices.json. Prints $ per 1,000 instances for the CT slices and for the
 * radiographs, line by line, against the target of $0.03 (storage excluded).
 *
 * Lambda duration is priced three ways: as measured (each invocation's wall time: the functions share
 * this process, so overlapping invocations wait for each other and this overstates), scaled down to the
 * process's CPU time (the emulators' threads included), and scaled down to the functions' CPU time
 * (bench/lambda-cpu.ts: the process less its main and S3 threads, which are the emulators of services priced
 * by request). The last is the figure against the target; like the second it is a lower bound for Lambda: it
 * leaves out the I/O waits AWS bills.
 */
import { UsageMeter, type UsageCounts } from '../local/usage-meter';
import { LIST_PRICES, priceRun, type BilledExecution, type LineItem } from './cost-model';
import { option } from './ingest.bench';
import { DEFAULT_FUNCTION_WORKERS } from '../local/function-workers';
import { runIngest } from './ingest-run';
import { lambdaCpuSeconds } from './lambda-cpu';

const TARGET_PER_1000 = 0.03;

/** CloudWatch Logs per instance by source: bytes, log events and their price, most first. */
function printLogs(logs: UsageCounts['logs'], items: readonly LineItem[], n: number): void {
  const rows = Object.entries(logs).sort(([, a], [, b]) => b.bytes - a.bytes);
  if (rows.length === 0) return;
  console.log('  CloudWatch Logs per instance by source (bytes, log events; $ per 1,000 instances):');
  for (const [source, l] of rows) {
    const dollars = items.find((i) => i.service === 'CloudWatch Logs' && i.what.endsWith(`: ${source}`))?.dollars ?? 0;
    console.log(
      `    ${Math.round(l.bytes / n)
        .toLocaleString('en-US')
        .padStart(8)} B ${(l.events / n).toFixed(2).padStart(7)} events  $${((dollars / n) * 1000).toFixed(5)}  ${source}`,
    );
  }
}

/** Where the DynamoDB units went, per instance, by call (operation and the kinds of item it touched), most first. */
function printDynamoDbCalls(calls: UsageCounts['dynamodbCalls'], n: number): void {
  const rows = Object.entries(calls).sort(([, a], [, b]) => b.writeUnits + b.readUnits - (a.writeUnits + a.readUnits));
  console.log('  DynamoDB per instance by call (write units, read units, of them on indexes; requests, refused):');
  for (const [label, c] of rows) {
    const per = (x: number) => (x / n).toFixed(2).padStart(6);
    const refused = c.refused ? `, ${per(c.refused).trim()} refused` : '';
    console.log(`    ${per(c.writeUnits)} W ${per(c.readUnits)} R ${per(c.indexUnits)} idx  ${per(c.requests)} req${refused}  ${label}`);
  }
}

/**
 * Step Functions per instance by workflow: its executions, their type, transitions (billed in Standard) and seconds
 * (billed in Express), and its $ per 1,000 instances as measured and with durations scaled to CPU time: which workflow costs what.
 */
function printWorkflows(executions: readonly BilledExecution[], n: number, cpuScale: number): void {
  const byWorkflow = new Map<string, BilledExecution[]>();
  for (const e of executions) byWorkflow.set(e.workflow, [...(byWorkflow.get(e.workflow) ?? []), e]);
  if (byWorkflow.size === 0) return;
  const nothingElse = new UsageMeter().snapshot();
  const stepFunctions = (runs: readonly BilledExecution[], scale: number) =>
    priceRun(nothingElse, runs, LIST_PRICES, scale)
      .items.filter((i) => i.service === 'Step Functions')
      .reduce((sum, i) => sum + i.dollars, 0);
  console.log('  Step Functions per instance by workflow (executions, transitions, seconds; $ per 1,000 as measured, at CPU time):');
  for (const [workflow, runs] of [...byWorkflow].sort(([a], [b]) => a.localeCompare(b))) {
    const per = (x: number) => (x / n).toFixed(2).padStart(6);
    const transitions = runs.reduce((sum, e) => sum + e.transitions, 0);
    const seconds = runs.reduce((sum, e) => sum + e.durationMs, 0) / 1000;
    const dollars = (d: number) => `$${((d / n) * 1000).toFixed(5)}`;
    console.log(
      `    ${per(runs.length)} exec ${per(transitions)} transitions ${per(seconds)} s  ${dollars(stepFunctions(runs, 1))}, ${dollars(stepFunctions(runs, cpuScale))}  ${workflow} (${runs[0]!.type})`,
    );
  }
}

export async function run(): Promise<void> {
  const ingest = await runIngest({
    slices: option('ct', 1000),
    radiographs: option('radiographs', 50),
    radiographSize: option('radiograph-size', 2048),
    functionWorkers: option('function-workers', DEFAULT_FUNCTION_WORKERS),
    log: (line) => console.log(line),
    meterHandlerLogs: true,
  });
  try {
    console.log(`prices: ${LIST_PRICES.region}, ${LIST_PRICES.currency}, as of ${LIST_PRICES.asOf} (bench/data/aws-list-prices.json)`);
    for (const r of ingest.results) {
      const n = r.set.files.length;
      const per1000 = (dollars: number) => (dollars / n) * 1000;
      const wallGbSeconds = Object.values(r.usage.lambda).reduce((s, l) => s + l.gbSeconds, 0);
      const lambdaSeconds = Object.values(r.usage.lambda).reduce((s, l) => s + l.seconds, 0);
      const scaleTo = (cpuSeconds: number) => Math.min(1, cpuSeconds / Math.max(lambdaSeconds, 1e-9));
      const functionsCpuSeconds = lambdaCpuSeconds({
        processSeconds: r.cpuSeconds,
        mainThreadSeconds: r.mainThreadCpuSeconds,
        s3ThreadSeconds: r.s3ThreadCpuSeconds,
        functionThreadsSeconds: r.functionThreadsCpuSeconds,
      });
      const cpuScale = scaleTo(functionsCpuSeconds);
      const measured = priceRun(r.usage, r.executions);
      const processCpuBound = priceRun(r.usage, r.executions, LIST_PRICES, scaleTo(r.cpuSeconds));
      const cpuBound = priceRun(r.usage, r.executions, LIST_PRICES, cpuScale);
      console.log(`\n${r.set.name}: ${n} instances`);
      for (const item of measured.items) {
        // Logs are printed by source below, in bytes.
        if (item.quantity === 0 || item.service === 'CloudWatch Logs') continue;
        console.log(
          `  ${item.service.padEnd(14)} ${item.what.padEnd(34)} ${(item.quantity / n).toFixed(2).padStart(10)} per instance  $${per1000(item.dollars).toFixed(5)} per 1,000`,
        );
      }
      const invocations = Object.entries(r.usage.lambda)
        .map(([id, l]) => `${id} ${(l.invocations / n).toFixed(2)}`)
        .join(', ');
      console.log(`  Lambda invocations per instance by function: ${invocations}`);
      printWorkflows(r.executions, n, cpuScale);
      printDynamoDbCalls(r.usage.dynamodbCalls, n);
      printLogs(r.usage.logs, measured.items, n);
      console.log(
        `  Lambda: ${lambdaSeconds.toFixed(1)} s of invocations (${wallGbSeconds.toFixed(1)} GB-s) measured; the process's CPU ${r.cpuSeconds.toFixed(1)} s, ` +
          `of it the functions' ${functionsCpuSeconds.toFixed(1)} s (less the main thread's ${r.mainThreadCpuSeconds.toFixed(1)} s and the S3 thread's ${r.s3ThreadCpuSeconds.toFixed(1)} s)`,
      );
      const ratio = (dollars: number) => `${(per1000(dollars) / TARGET_PER_1000).toFixed(2)}x the $${TARGET_PER_1000} target`;
      console.log(
        `  total: $${per1000(measured.dollars).toFixed(4)} per 1,000 instances with Lambda duration as measured (${ratio(measured.dollars)})`,
      );
      console.log(
        `         $${per1000(processCpuBound.dollars).toFixed(4)} per 1,000 with Lambda and Express durations scaled to the process's CPU time, the emulators' threads included (${ratio(processCpuBound.dollars)})`,
      );
      console.log(
        `         $${per1000(cpuBound.dollars).toFixed(4)} per 1,000 with Lambda and Express durations scaled to the functions' CPU time (${ratio(cpuBound.dollars)})`,
      );
    }
  } finally {
    await ingest.cleanUp();
  }
}
