/**
 * `npm run bench chaos [-- --instances N --seed S --kills K]`: the chaos suite at full size
 * (issue 12). 1,000 instances (default) from several projects and sites through `hilum upload`
 * into a `hilum start` whose runtime fails 10% of the workflows' task invocations (thrown
 * errors and timeouts), duplicates 20% of the S3 "Object Created" events and delivers 20%
 * late; the commons is killed (SIGKILL of its process group) and restarted twice at moments
 * drawn from the seed; the reconciler runs until everything drains. The figures are computed
 * by test/support/chaos.ts from the catalog, the buckets and the released bytes. Also
 * CHAOS_INSTANCES, CHAOS_SEED, CHAOS_KILLS; `--keep` keeps the data folder and the commons' log.
 */
import { formatChaosReport, runChaos } from '../test/support/chaos';

function option(name: string, fallback: number): number {
  const args = process.argv;
  const at = args.indexOf(`--${name}`);
  const text = at >= 0 ? args[at + 1] : process.env[`CHAOS_${name.toUpperCase()}`];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not ${text}`);
  return value;
}

export async function run(): Promise<void> {
  const instances = option('instances', 1000);
  const seed = option('seed', 20261206);
  const kills = option('kills', 2);
  const report = await runChaos({
    instances,
    seed,
    kills,
    keep: process.argv.includes('--keep'),
    drainTimeoutMs: option('drain-timeout-seconds', 900) * 1000,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  console.log(formatChaosReport(report));
  if (report.problems.length > 0) process.exitCode = 1;
}
