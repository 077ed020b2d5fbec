/**
 * `npm run bench [name...]`: runs the benchmarks in this folder (`<name>.bench.ts`,
 * each exporting `run(): Promise<void>`), or only those named. Each benchmark prints
 * ratios against a baseline measured in the same run, never absolute targets alone.
 * Options after the names (`npm run bench chaos -- --instances 200`) are left to the benchmarks.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  // Names come first; what follows the first `--option` is the benchmarks' own (`chaos -- --instances 200`).
  const args = process.argv.slice(2);
  const firstOption = args.findIndex((a) => a.startsWith('--'));
  const wanted = firstOption < 0 ? args : args.slice(0, firstOption);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''))
    .sort();
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ') || 'none'}`);
  for (const name of wanted.length ? wanted : available) {
    console.log(`\n== ${name} ==`);
    const module = (await import(join(__dirname, `${name}.bench.ts`))) as { run(): Promise<void> };
    await module.run();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
