/**
 * `npm run bench fuzz`: the fuzz suite at full size (issue 12). FUZZ_COUNT
 * mutants (default 100,000) of the fixtures, FUZZ_SEED (default 20261206),
 * FUZZ_WORKERS worker processes (default 2), FUZZ_BUDGET_MS per file (default
 * 20,000), through parseDicom, deidentify and verifyDeidentified; the leak
 * oracle is test/support/fuzz/oracle.ts. Prints counts per class and per
 * mutation kind, throughput and the workers' peak memory, a progress line
 * every 5,000, and each finding's index (replay: mutantOf(seed, index)).
 */
import { FUZZ_CLASSES } from '../test/support/fuzz/cases';
import { runFuzz, type FuzzReport } from '../test/support/fuzz/pool';

const MB = 1024 * 1024;

function table(report: FuzzReport): string {
  const rows = Object.entries(report.byKind).map(([kind, counts]) => `| ${kind} | ${FUZZ_CLASSES.map((c) => counts[c]).join(' | ')} |`);
  return [
    `| kind | ${FUZZ_CLASSES.join(' | ')} |`,
    `| --- | ${FUZZ_CLASSES.map(() => '---:').join(' | ')} |`,
    ...rows,
    `| all | ${FUZZ_CLASSES.map((c) => report.byClass[c]).join(' | ')} |`,
  ].join('\n');
}

export async function run(): Promise<void> {
  const count = Number(process.env.FUZZ_COUNT ?? 100_000);
  const runSeed = Number(process.env.FUZZ_SEED ?? 20261206);
  const workers = Number(process.env.FUZZ_WORKERS ?? 2);
  const budgetMs = Number(process.env.FUZZ_BUDGET_MS ?? 20_000);
  const started = Date.now();
  console.log(`fuzz: ${count} mutants, seed ${runSeed}, ${workers} workers, ${budgetMs} ms per file`);
  const report = await runFuzz({
    count,
    runSeed,
    workers,
    budgetMs,
    onProgress: (done, so) => {
      if (done % 5000 === 0)
        console.log(
          `  ${done} done, ${(done / ((Date.now() - started) / 1000)).toFixed(1)}/s; ${FUZZ_CLASSES.map((c) => `${c} ${so[c]}`).join(', ')}`,
        );
    },
  });
  console.log(table(report));
  console.log(`moved into text or as a conforming value (known gap, not leaks): ${report.moved}`);
  console.log(
    `throughput: ${(report.total / report.seconds).toFixed(1)} files/s (${report.seconds.toFixed(0)} s); worker peak RSS ${(report.peakWorkerRssBytes / MB).toFixed(0)} MB`,
  );
  for (const f of report.findings) console.log(`  ${f.cls} #${f.index} ${f.kind} ${f.seed}: ${f.detail ?? ''}`);
  if (report.byClass.crash + report.byClass.hang + report.byClass.leak > 0) process.exitCode = 1;
}
