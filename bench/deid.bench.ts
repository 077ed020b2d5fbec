/**
 * `npm run bench deid`: de-identification throughput on generated corpora,
 * against baselines measured in the same run on the same files:
 *
 * - copy floor: fs.copyFileSync of every file (the least any tool can do);
 * - naive dcmjs: read, edit a few tags, write, per file (what a script does);
 * - hilum deid --jobs 1 and --jobs 2 (the CLI, spawned, as a user runs it);
 * - gdcmanon -e (GDCM's PS3.15 Basic Profile, with a throwaway certificate);
 * - dcmodify with a comparable set of -ea/-ma edits (DCMTK).
 *
 * Corpora (test/support/synthetic-dicom.ts): a CT series of 512x512 16-bit
 * slices (BENCH_CT_SLICES, default 300) and BENCH_RADIOGRAPHS (default 4)
 * radiographs of 2500x3000 16-bit. Peak memory: the CLI's own per-worker
 * measure (V8 heap + external + array buffers) and peak RSS via /usr/bin/time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicomFile, writeDicomFile } from '../layers/dicom/dcmjs';
import { makeDicom } from '../test/support/synthetic-dicom';

const ROOT = join(__dirname, '..');
const MB = 1024 * 1024;

interface Corpus {
  name: string;
  dir: string;
  files: string[];
  bytes: number;
  largest: number;
}

interface Measure {
  tool: string;
  seconds: number;
  peakRssBytes?: number;
  peakWorkerBytes?: number;
  note?: string;
}

function generate(root: string, name: string, count: number, make: (i: number) => Uint8Array): Corpus {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const file = join(dir, `${String(i).padStart(4, '0')}.dcm`);
    writeFileSync(file, make(i));
    files.push(file);
  }
  const sizes = files.map((f) => statSync(f).size);
  return { name, dir, files, bytes: sizes.reduce((a, b) => a + b, 0), largest: Math.max(...sizes) };
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs a command under /usr/bin/time to get its peak RSS (KB on Linux), timing the whole process. */
function timedProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; peakRssBytes?: number; status: number | null; stderr: string } {
  const useTime = spawnSync('/usr/bin/time', ['--version']).error === undefined;
  const start = process.hrtime.bigint();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', 'HILUM_BENCH_MAXRSS=%M', command, ...args], { encoding: 'utf8', env, maxBuffer: 64 * MB })
    : spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * MB });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rss = /HILUM_BENCH_MAXRSS=(\d+)/.exec(r.stderr ?? '');
  return { seconds, status: r.status, stderr: (r.stderr ?? '').replace(/HILUM_BENCH_MAXRSS=\d+\n?/, ''), ...(rss?.[1] && { peakRssBytes: Number(rss[1]) * 1024 }) };
}

function fresh(root: string, name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function copyFloor(corpus: Corpus, out: string): Measure {
  return { tool: 'copy floor (fs.copyFileSync)', seconds: timed(() => corpus.files.forEach((f, i) => copyFileSync(f, join(out, `${i}.dcm`)))) };
}

/** The naive script: dcmjs read, a handful of edits, dcmjs write, one file at a time. */
function naiveDcmjs(corpus: Corpus, out: string): Measure {
  const seconds = timed(() => corpus.files.forEach((f, i) => {
    const file = readDicomFile(readFileSync(f));
    file.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: 'ANONYMOUS' }] };
    file.dict['00100020'] = { vr: 'LO', Value: ['ANONYMOUS'] };
    for (const key of ['00100030', '00080080', '00080081', '00080090', '00081070', '00080050', '00200010']) delete file.dict[key];
    file.dict['00120062'] = { vr: 'CS', Value: ['YES'] };
    writeFileSync(join(out, `${i}.dcm`), writeDicomFile(file));
  }));
  return { tool: 'naive dcmjs read-modify-write', seconds };
}

/** The spawned CLI (whole process), and the batch alone as the CLI's report times it (pool start to report, workers' start included). */
function hilumDeid(corpus: Corpus, out: string, jobs: number, secretFile: string): Measure[] {
  const r = timedProcess(process.execPath, [join(ROOT, 'cli/bin/hilum.js'), 'deid', corpus.dir, out, '--secret-file', secretFile, '--jobs', String(jobs)]);
  if (r.status !== 0 && r.status !== 1) throw new Error(`hilum deid exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  const report = JSON.parse(readFileSync(join(out, 'deid-report.json'), 'utf8')) as { seconds: number; outcomes: Record<string, number>; memory: { peakWorkerBytes: number[] } };
  if (report.outcomes.failed) throw new Error(`hilum deid failed ${report.outcomes.failed} file(s)`);
  const peakWorkerBytes = Math.max(...report.memory.peakWorkerBytes);
  return [
    { tool: `hilum deid --jobs ${jobs}`, seconds: r.seconds, ...(r.peakRssBytes !== undefined && { peakRssBytes: r.peakRssBytes }), peakWorkerBytes },
    { tool: `  batch only (--jobs ${jobs})`, seconds: report.seconds, peakWorkerBytes },
  ];
}

function gdcmanon(corpus: Corpus, out: string, certificate: string): Measure {
  const r = timedProcess('gdcmanon', ['-e', '-c', certificate, '-r', '--continue', '-i', corpus.dir, '-o', out]);
  if (r.status !== 0) throw new Error(`gdcmanon exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  return { tool: 'gdcmanon -e (Basic Profile)', seconds: r.seconds, ...(r.peakRssBytes !== undefined && { peakRssBytes: r.peakRssBytes }) };
}

/** dcmodify edits in place: the copies are made first and not timed. */
function dcmodify(corpus: Corpus, out: string): Measure {
  const targets = corpus.files.map((f, i) => {
    const target = join(out, `${i}.dcm`);
    copyFileSync(f, target);
    return target;
  });
  const edits = [
    '-ma', '(0010,0010)=ANONYMOUS', '-ma', '(0010,0020)=ANONYMOUS', '-ea', '(0010,0030)', '-ea', '(0008,0080)', '-ea', '(0008,0081)',
    '-ea', '(0008,0090)', '-ea', '(0008,1070)', '-ea', '(0008,0050)', '-ea', '(0020,0010)', '-ep', '-i', '(0012,0062)=YES',
    '-gst', '-gse', '-gin',
  ];
  const r = timedProcess('dcmodify', ['-nb', '-q', ...edits, ...targets]);
  if (r.status !== 0) throw new Error(`dcmodify exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  return { tool: 'dcmodify (-ma/-ea/-ep, new UIDs)', seconds: r.seconds, ...(r.peakRssBytes !== undefined && { peakRssBytes: r.peakRssBytes }) };
}

function table(corpus: Corpus, measures: Measure[]): void {
  const floor = measures[0]?.seconds ?? 1;
  console.log(`\n${corpus.name}: ${corpus.files.length} files, ${(corpus.bytes / MB).toFixed(1)} MB, largest ${(corpus.largest / MB).toFixed(1)} MB`);
  console.log(`${'tool'.padEnd(36)} ${'seconds'.padStart(8)} ${'files/s'.padStart(9)} ${'MB/s'.padStart(8)} ${'x floor'.padStart(8)} ${'peak RSS'.padStart(9)} ${'per worker'.padStart(10)}`);
  for (const m of measures) {
    const row = [
      m.tool.padEnd(36),
      m.seconds.toFixed(2).padStart(8),
      (corpus.files.length / m.seconds).toFixed(1).padStart(9),
      (corpus.bytes / MB / m.seconds).toFixed(1).padStart(8),
      (m.seconds / floor).toFixed(1).padStart(8),
      (m.peakRssBytes !== undefined ? `${(m.peakRssBytes / MB).toFixed(0)} MB` : '-').padStart(9),
      (m.peakWorkerBytes !== undefined ? `${(m.peakWorkerBytes / MB).toFixed(0)} MB` : '-').padStart(10),
    ];
    console.log(row.join(' '));
  }
  const find = (prefix: string): Measure | undefined => measures.find((m) => m.tool.startsWith(prefix));
  const jobs2 = find('hilum deid --jobs 2');
  const jobs1 = find('hilum deid --jobs 1');
  const gdcm = find('gdcmanon');
  const naive = find('naive');
  const batch2 = find('  batch only (--jobs 2)');
  if (jobs2 && gdcm && naive && jobs1 && batch2) {
    const budget = 2 * corpus.largest + 100 * MB;
    console.log(`targets (>= 1x gdcmanon files/s, >= 5x naive dcmjs): CLI --jobs 2 ${(gdcm.seconds / jobs2.seconds).toFixed(2)}x gdcmanon, ${(naive.seconds / jobs2.seconds).toFixed(1)}x naive; `
      + `batch --jobs 2 ${(gdcm.seconds / batch2.seconds).toFixed(2)}x gdcmanon, ${(naive.seconds / batch2.seconds).toFixed(1)}x naive`);
    console.log(`memory: per-worker peak ${((jobs2.peakWorkerBytes ?? 0) / MB).toFixed(0)} MB vs budget ${(budget / MB).toFixed(0)} MB (2 x largest + 100 MB); whole --jobs 1 process RSS ${((jobs1.peakRssBytes ?? 0) / MB).toFixed(0)} MB`);
  }
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hilum-bench-deid-'));
  try {
    const slices = Number(process.env.BENCH_CT_SLICES ?? 300);
    const radiographs = Number(process.env.BENCH_RADIOGRAPHS ?? 4);
    console.log(`generating ${slices} CT slices and ${radiographs} radiographs in ${root} ...`);
    const corpora = [
      generate(root, 'ct-series', slices, (i) => makeDicom({ rows: 512, columns: 512, instanceNumber: i })),
      generate(root, 'radiographs', radiographs, (i) => makeDicom({ modality: 'DX', rows: 3000, columns: 2500, instanceNumber: i, seriesInstanceUid: `1.2.826.0.1.3680043.8.498.7711.9.${i}` })),
    ];
    const secretFile = join(root, 'secret.key');
    writeFileSync(secretFile, `${'b'.repeat(64)}\n`);
    const key = join(root, 'key.pem');
    const certificate = join(root, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certificate, '-subj', '/CN=hilum-bench', '-days', '1'], { stdio: 'ignore' });
    for (const corpus of corpora) {
      // Warm the page cache so the first tool does not pay for the disk.
      for (const f of corpus.files) readFileSync(f);
      const measures: Measure[] = [
        copyFloor(corpus, fresh(root, 'out-copy')),
        naiveDcmjs(corpus, fresh(root, 'out-naive')),
        ...hilumDeid(corpus, fresh(root, 'out-hilum1'), 1, secretFile),
        ...hilumDeid(corpus, fresh(root, 'out-hilum2'), 2, secretFile),
        gdcmanon(corpus, fresh(root, 'out-gdcm'), certificate),
        dcmodify(corpus, fresh(root, 'out-dcmodify')),
      ];
      table(corpus, measures);
      const written = readdirSync(join(root, 'out-hilum2'), { recursive: true }).length;
      if (written < corpus.files.length) throw new Error('hilum deid wrote fewer files than it read');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
