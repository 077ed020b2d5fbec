/**
 * `npm run bench deid`: de-identification throughput on generated corpora,
 * against baselines measured in the same run on the same files.
 *
 * Every tool below is a separate process timed from spawn to exit (what a user
 * waits for), run BENCH_ROUNDS times (default 7) in interleaved order
 * (round 1: every tool, round 2: every tool, ...), so load from other work on
 * the machine falls on all of them alike. Tables give the median and the
 * min-max spread. Each tool writes into a fresh folder in the same temporary
 * directory (same disk); the files each produced are counted, and a sample of
 * hilum's outputs is checked with the independent verifier.
 *
 * - copy floor: `cp -r` of the folder (the least a tool can do);
 * - naive dcmjs: a plain-JS script (dcmjs read, a few edits, dcmjs write, per
 *   file), spawned with node, and the same loop in-process (no start-up);
 * - hilum deid --jobs 1 and --jobs 2 (cli/bin/hilum.js run as a program, as
 *   the installed `hilum` command is); "batch only" is the CLI's own timing of
 *   the batch, from its report;
 * - gdcmanon -e (GDCM's PS3.15 Basic Profile, with a throwaway certificate);
 * - dcmodify with a comparable set of -ea/-ma edits (DCMTK; it edits in place,
 *   so the copies it edits are made first and not timed).
 *
 * hilum's first run builds its bundle (node_modules/.cache/hilum); that run is
 * timed and reported apart, not counted in the rounds.
 *
 * Corpora (test/support/synthetic-dicom.ts): a CT series of 512x512 16-bit
 * slices (BENCH_CT_SLICES, default 300) and BENCH_RADIOGRAPHS (default 4)
 * radiographs of 2500x3000 16-bit. Memory: peak RSS via /usr/bin/time and
 * hilum's own per-lane measure (V8 heap + external + array buffers).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileForProject, verifyDeidentified } from '../layers/dicom';
import { readDicomFile, writeDicomFile } from '../layers/dicom';
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

interface Run {
  seconds: number;
  peakRssBytes?: number;
  peakLaneBytes?: number;
  batchSeconds?: number;
}

interface Tool {
  name: string;
  /** Runs once into `out` (a fresh folder), returns its timing. */
  run(corpus: Corpus, out: string): Run;
}

/** The naive script a user would write, run by plain node (no TypeScript loader in its time). */
const NAIVE_SCRIPT = `const fs = require('fs');
const path = require('path');
const dcmjs = require(${JSON.stringify(require.resolve('dcmjs'))});
dcmjs.log.setLevel('silent');
const [input, output] = process.argv.slice(2);
fs.mkdirSync(output, { recursive: true });
for (const name of fs.readdirSync(input).sort()) {
  const bytes = fs.readFileSync(path.join(input, name));
  const file = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), {});
  file.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: 'ANONYMOUS' }] };
  file.dict['00100020'] = { vr: 'LO', Value: ['ANONYMOUS'] };
  for (const key of ['00100030', '00080080', '00080081', '00080090', '00081070', '00080050', '00200010']) delete file.dict[key];
  file.dict['00120062'] = { vr: 'CS', Value: ['YES'] };
  const out = new dcmjs.data.DicomDict(file.meta);
  out.dict = file.dict;
  fs.writeFileSync(path.join(output, name), new Uint8Array(out.write({ allowInvalidVRLength: true })));
}
`;

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

const HAS_TIME = spawnSync('/usr/bin/time', ['--version']).error === undefined;

/** Runs a command under /usr/bin/time for its peak RSS (KB on Linux), timing the whole process. */
function timedProcess(command: string, args: string[]): { seconds: number; peakRssBytes?: number; status: number | null; stderr: string } {
  const start = process.hrtime.bigint();
  const r = HAS_TIME
    ? spawnSync('/usr/bin/time', ['-f', 'HILUM_BENCH_MAXRSS=%M', command, ...args], { encoding: 'utf8', maxBuffer: 64 * MB })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * MB });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rss = /HILUM_BENCH_MAXRSS=(\d+)/.exec(r.stderr ?? '');
  return {
    seconds,
    status: r.status,
    stderr: (r.stderr ?? '').replace(/HILUM_BENCH_MAXRSS=\d+\n?/, ''),
    ...(rss?.[1] && { peakRssBytes: Number(rss[1]) * 1024 }),
  };
}

function processRun(r: ReturnType<typeof timedProcess>): Run {
  return { seconds: r.seconds, ...(r.peakRssBytes !== undefined && { peakRssBytes: r.peakRssBytes }) };
}

function hilumTool(jobs: number, secretFile: string): Tool {
  return {
    name: `hilum deid --jobs ${jobs}`,
    run(corpus, out) {
      // The program itself, as the installed `hilum` command runs (its first line starts node).
      const r = timedProcess(join(ROOT, 'cli/bin/hilum.js'), [
        'deid',
        corpus.dir,
        out,
        '--secret-file',
        secretFile,
        '--jobs',
        String(jobs),
      ]);
      if (r.status !== 0) throw new Error(`hilum deid exited ${r.status}: ${r.stderr.slice(0, 500)}`);
      const report = JSON.parse(readFileSync(join(out, 'deid-report.json'), 'utf8')) as {
        seconds: number;
        outcomes: Record<string, number>;
        memory: { peakWorkerBytes: number[] };
      };
      if (report.outcomes.failed) throw new Error(`hilum deid failed ${report.outcomes.failed} file(s)`);
      return { ...processRun(r), batchSeconds: report.seconds, peakLaneBytes: Math.max(...report.memory.peakWorkerBytes) };
    },
  };
}

function tools(secretFile: string, certificate: string, naiveScript: string): Tool[] {
  return [
    {
      name: 'copy floor (cp -r)',
      run: (corpus, out) => processRun(timedProcess('cp', ['-r', `${corpus.dir}/.`, out])),
    },
    {
      name: 'naive dcmjs script (node)',
      run: (corpus, out) => {
        const r = timedProcess(process.execPath, [naiveScript, corpus.dir, out]);
        if (r.status !== 0) throw new Error(`naive script exited ${r.status}: ${r.stderr.slice(0, 300)}`);
        return processRun(r);
      },
    },
    {
      name: 'naive dcmjs, in-process',
      run: (corpus, out) => ({
        seconds: timed(() =>
          corpus.files.forEach((f, i) => {
            const file = readDicomFile(readFileSync(f));
            file.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: 'ANONYMOUS' }] };
            file.dict['00100020'] = { vr: 'LO', Value: ['ANONYMOUS'] };
            for (const key of ['00100030', '00080080', '00080081', '00080090', '00081070', '00080050', '00200010']) delete file.dict[key];
            file.dict['00120062'] = { vr: 'CS', Value: ['YES'] };
            writeFileSync(join(out, `${i}.dcm`), writeDicomFile(file));
          }),
        ),
      }),
    },
    hilumTool(1, secretFile),
    hilumTool(2, secretFile),
    {
      name: 'gdcmanon -e (Basic Profile)',
      run: (corpus, out) => {
        const r = timedProcess('gdcmanon', ['-e', '-c', certificate, '-r', '--continue', '-i', corpus.dir, '-o', out]);
        if (r.status !== 0) throw new Error(`gdcmanon exited ${r.status}: ${r.stderr.slice(0, 300)}`);
        return processRun(r);
      },
    },
    {
      name: 'dcmodify (-ma/-ea/-ep, new UIDs)',
      run: (corpus, out) => {
        const targets = corpus.files.map((f, i) => {
          const target = join(out, `${i}.dcm`);
          copyFileSync(f, target);
          return target;
        });
        const edits = [
          '-ma',
          '(0010,0010)=ANONYMOUS',
          '-ma',
          '(0010,0020)=ANONYMOUS',
          '-ea',
          '(0010,0030)',
          '-ea',
          '(0008,0080)',
          '-ea',
          '(0008,0081)',
          '-ea',
          '(0008,0090)',
          '-ea',
          '(0008,1070)',
          '-ea',
          '(0008,0050)',
          '-ea',
          '(0020,0010)',
          '-ep',
          '-i',
          '(0012,0062)=YES',
          '-gst',
          '-gse',
          '-gin',
        ];
        const r = timedProcess('dcmodify', ['-nb', '-q', ...edits, ...targets]);
        if (r.status !== 0) throw new Error(`dcmodify exited ${r.status}: ${r.stderr.slice(0, 300)}`);
        return processRun(r);
      },
    },
  ];
}

function fresh(root: string, name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** DICOM files a tool left in its folder (hilum's report excluded). */
function countOutputs(dir: string): number {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.endsWith('.dcm')).length;
}

/** hilum's outputs pass the independent verifier (a spread sample: first, middle, last). */
function verifySample(corpus: Corpus, out: string): number {
  const picks = [...new Set([0, Math.floor(corpus.files.length / 2), corpus.files.length - 1])];
  for (const i of picks) {
    const original = corpus.files[i] as string;
    const name = original.slice(corpus.dir.length + 1);
    const written = [join(out, name), join(out, 'needs-pixel-review', name)].find((p) => existsSync(p));
    if (!written) throw new Error(`hilum wrote no output for file ${i}`);
    const result = verifyDeidentified(readFileSync(original), readFileSync(written), profileForProject('local'));
    if (!result.passed) throw new Error(`verifier failed hilum's output ${i}: ${result.failures.map((f) => f.check).join(', ')}`);
  }
  return picks.length;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

function table(corpus: Corpus, names: readonly string[], runs: ReadonlyMap<string, Run[]>, counts: ReadonlyMap<string, number>): void {
  const med = (name: string, pick: (r: Run) => number | undefined = (r) => r.seconds): number | undefined => {
    const xs = (runs.get(name) ?? []).map(pick).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  const floor = med(names[0] as string) ?? 1;
  console.log(
    `\n${corpus.name}: ${corpus.files.length} files, ${(corpus.bytes / MB).toFixed(1)} MB, largest ${(corpus.largest / MB).toFixed(1)} MB; median of ${runs.get(names[0] as string)?.length} interleaved rounds`,
  );
  console.log(
    `${'tool'.padEnd(34)} ${'median s'.padStart(8)} ${'min-max s'.padStart(11)} ${'files/s'.padStart(8)} ${'MB/s'.padStart(7)} ${'x floor'.padStart(7)} ${'peak RSS'.padStart(8)} ${'per lane'.padStart(8)} ${'outputs'.padStart(7)}`,
  );
  const rows: Array<[string, string]> = [];
  for (const name of names) {
    rows.push([name, name]);
    if (name.startsWith('hilum')) rows.push([`  batch only (${name.slice(11)})`, `${name}|batch`]);
  }
  for (const [label, key] of rows) {
    const [name, which] = key.split('|') as [string, string | undefined];
    const pick = which === 'batch' ? (r: Run) => r.batchSeconds : (r: Run) => r.seconds;
    const xs = (runs.get(name) ?? []).map(pick).filter((x): x is number => x !== undefined);
    const m = median(xs);
    const rss = which ? undefined : med(name, (r) => r.peakRssBytes);
    const lane = med(name, (r) => r.peakLaneBytes);
    console.log(
      [
        label.padEnd(34),
        m.toFixed(3).padStart(8),
        `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`.padStart(11),
        (corpus.files.length / m).toFixed(1).padStart(8),
        (corpus.bytes / MB / m).toFixed(0).padStart(7),
        (m / floor).toFixed(1).padStart(7),
        (rss !== undefined ? `${(rss / MB).toFixed(0)} MB` : '-').padStart(8),
        (lane !== undefined ? `${(lane / MB).toFixed(0)} MB` : '-').padStart(8),
        (which ? '' : String(counts.get(name) ?? '-')).padStart(7),
      ].join(' '),
    );
  }
  const jobs2 = med('hilum deid --jobs 2');
  const gdcm = med('gdcmanon -e (Basic Profile)');
  const naive = med('naive dcmjs script (node)');
  const naiveIn = med('naive dcmjs, in-process');
  if (jobs2 && gdcm && naive && naiveIn) {
    const budget = 2 * corpus.largest + 100 * MB;
    const lane = med('hilum deid --jobs 2', (r) => r.peakLaneBytes) ?? 0;
    console.log(
      `targets: hilum --jobs 2 = ${(gdcm / jobs2).toFixed(2)}x gdcmanon's files/s (>= 1), ${(naive / jobs2).toFixed(1)}x the naive script's (>= 5; ${(naiveIn / jobs2).toFixed(1)}x the in-process loop); ` +
        `per-lane peak ${(lane / MB).toFixed(0)} MB vs budget ${(budget / MB).toFixed(0)} MB (2 x largest + 100 MB)`,
    );
  }
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hilum-bench-deid-'));
  try {
    const slices = Number(process.env.BENCH_CT_SLICES ?? 300);
    const radiographs = Number(process.env.BENCH_RADIOGRAPHS ?? 4);
    const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 7));
    console.log(`generating ${slices} CT slices and ${radiographs} radiographs in ${root} ...`);
    const corpora = [
      generate(root, 'ct-series', slices, (i) => makeDicom({ rows: 512, columns: 512, instanceNumber: i })),
      generate(root, 'radiographs', radiographs, (i) =>
        makeDicom({
          modality: 'DX',
          rows: 3000,
          columns: 2500,
          instanceNumber: i,
          seriesInstanceUid: `1.2.826.0.1.3680043.8.498.7711.9.${i}`,
        }),
      ),
    ];
    const secretFile = join(root, 'secret.key');
    writeFileSync(secretFile, `${'b'.repeat(64)}\n`);
    const key = join(root, 'key.pem');
    const certificate = join(root, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certificate, '-subj', '/CN=hilum-bench', '-days', '1'],
      { stdio: 'ignore' },
    );
    const naiveScript = join(root, 'naive-dcmjs.js');
    writeFileSync(naiveScript, NAIVE_SCRIPT);
    const all = tools(secretFile, certificate, naiveScript);

    // hilum's first run after a source change builds its bundle: timed apart.
    const first = corpora[1] as Corpus;
    const firstRun = hilumTool(2, secretFile).run(first, fresh(root, 'out-first'));
    console.log(
      `hilum's first run (bundle build if the sources changed, then ${first.files.length} radiographs): ${firstRun.seconds.toFixed(2)} s`,
    );

    for (const corpus of corpora) {
      for (const f of corpus.files) readFileSync(f); // page cache warm for the first tool
      const runs = new Map<string, Run[]>();
      const counts = new Map<string, number>();
      for (let round = 0; round < rounds; round += 1) {
        // Rotate the order each round too, so no tool always follows the same one.
        const order = all.map((_, i) => all[(i + round) % all.length] as Tool);
        for (const tool of order) {
          const out = fresh(root, 'out');
          const r = tool.run(corpus, out);
          runs.set(tool.name, [...(runs.get(tool.name) ?? []), r]);
          counts.set(tool.name, countOutputs(out));
          if (tool.name.startsWith('hilum') && round === 0) verifySample(corpus, out);
          if (counts.get(tool.name) !== corpus.files.length)
            throw new Error(`${tool.name} wrote ${counts.get(tool.name)} of ${corpus.files.length} files`);
        }
      }
      table(
        corpus,
        all.map((t) => t.name),
        runs,
        counts,
      );
      console.log(
        'hilum outputs checked by the independent verifier: first, middle and last file of the first round; every tool wrote one output per input.',
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
