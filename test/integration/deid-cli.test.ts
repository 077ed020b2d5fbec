/**
 * `hilum deid` end to end, as a user runs it: a spawned `node cli/bin/hilum.js`
 * on a folder of good, burned-in, corrupt and non-DICOM files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseDicom, profileForProject, verifyDeidentified } from '../../layers/dicom';
import { catalogAttributes } from '../../layers/dicom/summary';
import { scanPart10 } from '../../layers/dicom/part10';
import { runDeidBatch } from '../../cli/lib/deid-batch';
import { makeDicom } from '../support/synthetic-dicom';

const ROOT = join(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/dicom');
const SECRET = 'a'.repeat(64);

function place(dir: string, relative: string, bytes: Uint8Array): void {
  mkdirSync(dirname(join(dir, relative)), { recursive: true });
  writeFileSync(join(dir, relative), bytes);
}

function hilum(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(ROOT, 'cli/bin/hilum.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HILUM_DEID_SECRET: '', ...env },
    timeout: 120_000,
  });
}

describe('hilum deid', () => {
  const work = mkdtempSync(join(tmpdir(), 'hilum-deid-cli-'));
  const input = join(work, 'in');
  const output = join(work, 'out');
  const secretFile = join(work, 'secret.key');
  writeFileSync(secretFile, `${SECRET}\n`);
  place(input, 'site-a/ct/slice1.dcm', makeDicom({ instanceNumber: 1 }));
  place(input, 'site-a/ct/slice2.dcm', makeDicom({ instanceNumber: 2 }));
  place(input, 'site-b/xray/cr.dcm', makeDicom({ modality: 'CR', burnedInAnnotation: 'YES' }));
  mkdirSync(join(input, 'site-b/mixed'), { recursive: true });
  copyFileSync(join(FIXTURES, 'malformed/MR_truncated.dcm'), join(input, 'site-b/mixed/truncated.dcm'));
  copyFileSync(join(FIXTURES, 'malformed/not_dicom.dcm'), join(input, 'site-b/mixed/notes.dcm'));
  copyFileSync(join(FIXTURES, 'transfer-syntax/MR_small_bigendian.dcm'), join(input, 'mr.dcm'));

  const run = hilum(['deid', input, output, '--secret-file', secretFile, '--jobs', '2']);

  it('exits 1 because files failed, and lists each failure with its reason', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    // Six small files: the main thread alone (a worker's boot would cost more than it saves).
    expect(run.stdout).toMatch(/hilum deid: 6 files, .* 1 job\(s\)/);
    expect(run.stdout).toContain('ok: 3');
    expect(run.stdout).toContain('needs-pixel-review: 1');
    expect(run.stdout).toContain('failed: 2');
    expect(run.stdout).toContain('site-b/mixed/truncated.dcm: truncated: element (7FE0,0010) declares 8192 bytes, 8130 remain');
    expect(run.stdout).toContain('site-b/mixed/notes.dcm: not a DICOM Part 10 file: no DICM prefix');
  });

  it('keeps relative paths, puts the burned-in file aside, and writes nothing for failures', () => {
    for (const path of ['site-a/ct/slice1.dcm', 'site-a/ct/slice2.dcm', 'mr.dcm', 'needs-pixel-review/site-b/xray/cr.dcm']) {
      expect({ path, exists: existsSync(join(output, path)) }).toEqual({ path, exists: true });
    }
    expect(existsSync(join(output, 'site-b/xray/cr.dcm'))).toBe(false);
    expect(existsSync(join(output, 'site-b/mixed'))).toBe(false);
  });

  it('writes outputs that the independent verifier passes', () => {
    for (const path of ['site-a/ct/slice1.dcm', 'mr.dcm']) {
      const original = readFileSync(join(input, path));
      const result = verifyDeidentified(original, readFileSync(join(output, path)), profileForProject('local'));
      expect({ path, failures: result.failures }).toEqual({ path, failures: [] });
    }
  });

  it('writes a batch report with counts and no values or file names', () => {
    const text = readFileSync(join(output, 'deid-report.json'), 'utf8');
    const report = JSON.parse(text);
    expect(report).toMatchObject({
      files: 6,
      outcomes: { ok: 3, 'needs-pixel-review': 1, failed: 2 },
      profile: { name: 'midrc' },
      jobs: 1,
      failureReasons: { 'not a DICOM Part 10 file: no DICM prefix': 1 },
      pixelReviewReasons: { 'burned-in-annotation': 1 },
    });
    expect(report.actionCounts['PatientName:pseudonym']).toBe(4);
    expect(report.perFile).toHaveLength(6);
    expect(report.memory.peakWorkerBytes).toHaveLength(1);
    expect(text).not.toMatch(/DOE|JANE|MRN-90210|slice1|site-a|truncated\.dcm/);
  });

  it('gives the same pseudonyms and UIDs on a second run with the same secret', () => {
    const again = join(work, 'again');
    expect(hilum(['deid', join(input, 'site-a'), again], { HILUM_DEID_SECRET: SECRET }).status).toBe(0);
    expect(readFileSync(join(again, 'ct/slice1.dcm')).equals(readFileSync(join(output, 'site-a/ct/slice1.dcm')))).toBe(true);
  });

  it('keys pseudonyms by --site, the issuer of the PatientIDs, and leaves UIDs alone', () => {
    const other = join(work, 'other-site');
    expect(hilum(['deid', join(input, 'site-a'), other, '--site', 'site-b'], { HILUM_DEID_SECRET: SECRET }).status).toBe(0);
    const [here, there] = [join(output, 'site-a/ct/slice1.dcm'), join(other, 'ct/slice1.dcm')].map(
      (path) => new Uint8Array(readFileSync(path)),
    );
    expect(catalogAttributes(scanPart10(there!)).patientId).toMatch(/^HILUM-/);
    expect(catalogAttributes(scanPart10(there!)).patientId).not.toBe(catalogAttributes(scanPart10(here!)).patientId);
    expect(parseDicom(there!).summary.studyInstanceUid).toBe(parseDicom(here!).summary.studyInstanceUid);
    expect(JSON.parse(readFileSync(join(other, 'deid-report.json'), 'utf8'))).toMatchObject({ project: 'local', site: 'site-b' });
  });

  it('refuses to run without a secret and says how to make one; never takes it as an argument', () => {
    const none = hilum(['deid', input, join(work, 'none')]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('a de-identification secret is required');
    expect(none.stderr).toContain('openssl rand -hex 32 > secret.key');
    expect(hilum(['deid', input, join(work, 'none'), '--secret', SECRET]).status).toBe(2);
  });

  it('rejects a bad profile naming the field', () => {
    const profile = join(work, 'bad-profile.json');
    const midrc = JSON.parse(readFileSync(join(ROOT, 'layers/dicom/profiles/midrc.json'), 'utf8'));
    writeFileSync(profile, JSON.stringify({ ...midrc, options: { ...midrc.options, retainSafePrivate: 'yes' } }));
    const bad = hilum(['deid', input, join(work, 'bad'), '--secret-file', secretFile, '--profile', profile]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('options.retainSafePrivate must be a boolean');
  });

  it('runs as the installed program on the pinned Node, whatever node the PATH has first', () => {
    const fakeBin = join(work, 'fake-bin');
    mkdirSync(fakeBin, { recursive: true });
    writeFileSync(join(fakeBin, 'node'), '#!/bin/sh\necho "the PATH node ran" >&2\nexit 99\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? ''}` };
    const deid = spawnSync(join(ROOT, 'cli/bin/hilum.js'), ['deid', input, join(work, 'as-program'), '--secret-file', secretFile], {
      encoding: 'utf8',
      env,
      timeout: 120_000,
    });
    expect(deid.stderr).not.toContain('the PATH node ran');
    expect(deid.status).toBe(1); // the corrupt and non-DICOM inputs
    expect(readFileSync(join(work, 'as-program/site-a/ct/slice1.dcm')).equals(readFileSync(join(output, 'site-a/ct/slice1.dcm')))).toBe(
      true,
    );
  });

  it('re-runs a command that another node started on the pinned Node', () => {
    // Another node binary: a hard link to this one, which the launcher does not recognize as the pinned node.
    const cache = join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const other = join(cache, `hilum-test-other-node-${process.pid}`);
    linkSync(process.execPath, other);
    const starts = join(work, 'starts.log');
    const probe = join(work, 'record-start.js');
    // Processes only: tsx's first compile of a file runs esbuild in a worker thread, which runs the preload too.
    writeFileSync(
      probe,
      `if (require('node:worker_threads').isMainThread) require('node:fs').appendFileSync(${JSON.stringify(starts)}, process.execPath + '\\n');\n`,
    );
    try {
      const run = spawnSync(other, [join(ROOT, 'cli/bin/hilum.js'), '--help'], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: `--require ${probe}` },
        timeout: 120_000,
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Usage: hilum <command>');
      expect(readFileSync(starts, 'utf8').trim().split('\n')).toEqual([other, realpathSync(join(ROOT, 'node_modules/.bin/node'))]);
    } finally {
      rmSync(other, { force: true });
    }
  });

  it('passes a SIGTERM sent to the launcher on to the command it re-ran on the pinned Node, and ends as it ended', async () => {
    // As above: another node binary the launcher re-runs from. A preload keeps the pinned Node's run
    // alive (after --help) and writes its pid, so that the test can see whether the signal reached it.
    const cache = join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const other = join(cache, `hilum-test-signal-node-${process.pid}`);
    linkSync(process.execPath, other);
    const pidFile = join(work, 'pinned-run.pid');
    const probe = join(work, 'stay-alive.js');
    writeFileSync(
      probe,
      `if (process.execPath !== ${JSON.stringify(other)} && require('node:worker_threads').isMainThread) {
  require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
  setInterval(() => {}, 1000);
}\n`,
    );
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    let pinnedPid = 0;
    try {
      const launcher = spawn(other, [join(ROOT, 'cli/bin/hilum.js'), '--help'], {
        stdio: 'ignore',
        env: { ...process.env, NODE_OPTIONS: `--require ${probe}` },
      });
      const ended = once(launcher, 'exit');
      for (let waited = 0; !existsSync(pidFile) && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      pinnedPid = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(pinnedPid)).toBe(true);
      launcher.kill('SIGTERM');
      const [code, signal] = await ended;
      expect([code, signal]).toEqual([null, 'SIGTERM']);
      for (let waited = 0; alive(pinnedPid) && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(alive(pinnedPid)).toBe(false);
    } finally {
      if (pinnedPid && alive(pinnedPid)) process.kill(pinnedPid, 'SIGKILL');
      rmSync(other, { force: true });
    }
  }, 120_000);

  it('ends quietly when the reader of its output goes away (| head)', () => {
    // `true` reads nothing and is gone before the summary is printed: every write meets a closed pipe.
    const piped = spawnSync(
      'sh',
      [
        '-c',
        `"${join(ROOT, 'cli/bin/hilum.js')}" deid "${join(input, 'site-a')}" "${join(work, 'piped')}" --secret-file "${secretFile}" | true`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    expect(existsSync(join(work, 'piped/deid-report.json'))).toBe(true);
  });

  it('leaves an output folder inside the input out of the input on a second run', () => {
    const nested = join(work, 'nested');
    place(nested, 'a/slice.dcm', makeDicom({ instanceNumber: 7 }));
    const out = join(nested, 'deidentified');
    expect(hilum(['deid', nested, out, '--secret-file', secretFile]).status).toBe(0);
    const again = hilum(['deid', nested, out, '--secret-file', secretFile]);
    expect(again.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'deid-report.json'), 'utf8'))).toMatchObject({ files: 1, outcomes: { ok: 1 } });
    expect(existsSync(join(out, 'deidentified'))).toBe(false);
  });

  it('runs in-process too: the main thread and two workers give the bytes one thread gives', async () => {
    const many = join(work, 'many');
    for (let i = 1; i <= 24; i += 1) place(many, `series/${String(i).padStart(2, '0')}.dcm`, makeDicom({ instanceNumber: i }));
    place(many, 'series/broken.dcm', Buffer.from('not dicom at all'));
    const base = { input: many, profile: profileForProject('local'), secret: SECRET, project: 'local', site: 'local' };
    const one = await runDeidBatch({ ...base, output: join(work, 'many-one'), jobs: 1 });
    expect(one.jobs).toBe(1);
    const three = await runDeidBatch({ ...base, output: join(work, 'many-three'), jobs: 3, soloBatchMs: 0, workersFirst: true });
    expect(three.jobs).toBe(3);
    expect(three.outcomes).toEqual({ ok: 24, 'needs-pixel-review': 0, failed: 1 });
    expect(three.failures).toEqual([{ relativePath: 'series/broken.dcm', reason: 'not a DICOM Part 10 file: no DICM prefix' }]);
    for (let i = 1; i <= 24; i += 1) {
      const name = `series/${String(i).padStart(2, '0')}.dcm`;
      expect(readFileSync(join(work, 'many-three', name)).equals(readFileSync(join(work, 'many-one', name)))).toBe(true);
    }
    // Every lane took part (each measured its own memory while working files).
    const report = JSON.parse(readFileSync(three.reportPath, 'utf8')) as { memory: { peakWorkerBytes: number[] } };
    expect(report.memory.peakWorkerBytes).toHaveLength(3);
    for (const peak of report.memory.peakWorkerBytes) expect(peak).toBeGreaterThan(0);
  });

  it('takes a worker started before the command as a lane, and stops one a small batch does not want', async () => {
    const entry = join(ROOT, 'cli/lib/deid-worker.js');
    const adopted = new Worker(entry);
    let filesDone = 0;
    adopted.on('message', (message: { type: string; results?: unknown[] }) => {
      if (message.type === 'results') filesDone += message.results?.length ?? 0;
    });
    const adoptedExit = once(adopted, 'exit');
    const summary = await runDeidBatch({
      input: join(work, 'many'),
      output: join(work, 'adopted'),
      profile: profileForProject('local'),
      secret: SECRET,
      project: 'local',
      site: 'local',
      jobs: 2,
      soloBatchMs: 0,
      workersFirst: true,
      startedWorkers: [adopted],
    });
    expect(summary.jobs).toBe(2);
    expect(filesDone).toBeGreaterThan(0);
    await adoptedExit; // stopped with the batch
    expect(readFileSync(join(work, 'adopted/series/01.dcm')).equals(readFileSync(join(work, 'many-one/series/01.dcm')))).toBe(true);

    const unwanted = new Worker(entry);
    const unwantedExit = once(unwanted, 'exit');
    const small = await runDeidBatch({
      input: join(input, 'site-a'),
      output: join(work, 'unwanted'),
      profile: profileForProject('local'),
      secret: SECRET,
      project: 'local',
      site: 'local',
      jobs: 2,
      startedWorkers: [unwanted],
    });
    expect(small.jobs).toBe(1);
    await unwantedExit;
  });

  it('goes on with the main thread alone when its workers cannot start', async () => {
    const broken = join(work, 'broken-thread.js');
    writeFileSync(broken, "throw new Error('this thread cannot start');\n");
    const summary = await runDeidBatch({
      input: join(input, 'site-a'),
      output: join(work, 'no-workers'),
      profile: profileForProject('local'),
      secret: SECRET,
      project: 'local',
      site: 'local',
      jobs: 3,
      soloBatchMs: 0,
      workersFirst: true,
      workerEntry: broken,
    });
    expect(summary.jobs).toBe(2); // two files: one worker asked for
    expect(summary.outcomes).toEqual({ ok: 2, 'needs-pixel-review': 0, failed: 0 });
    expect(readFileSync(join(work, 'no-workers/ct/slice1.dcm')).equals(readFileSync(join(output, 'site-a/ct/slice1.dcm')))).toBe(true);
    const report = JSON.parse(readFileSync(summary.reportPath, 'utf8')) as { memory: { peakWorkerBytes: number[] } };
    expect(report.memory.peakWorkerBytes.slice(1)).toEqual([0]);
  });
});

describe('the hilum deid bundle cache (cli/bin/bundle-cache.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadBundle } = require('../../cli/bin/bundle-cache') as {
    loadBundle(spec: object): Promise<{ dir: string; built: boolean } | undefined>;
  };
  const root = mkdtempSync(join(tmpdir(), 'hilum-bundle-'));
  const spec = { root, cacheDir: join(root, 'cache'), name: 'demo', entries: { main: 'src/main.ts' } };
  const load = async (): Promise<{ dir: string; built: boolean; value: string }> => {
    const bundle = await loadBundle(spec);
    if (!bundle) throw new Error('no bundle');
    const text = readFileSync(join(bundle.dir, 'main.bundle.js'), 'utf8');
    return { ...bundle, value: /VALUE:(\w+)/.exec(text)?.[1] ?? '' };
  };
  place(root, 'src/main.ts', Buffer.from("import { part } from './part';\nexport const value: string = part;\n"));
  place(root, 'src/part.ts', Buffer.from("export const part = 'VALUE:one';\n"));

  it('builds once, then reuses the bundle while the sources are unchanged', async () => {
    const first = await load();
    expect(first).toMatchObject({ built: true, value: 'one' });
    expect(await load()).toEqual({ ...first, built: false });
  });

  it('rebuilds when any bundled source changes, including one reached through an import', async () => {
    const before = await load();
    place(root, 'src/part.ts', Buffer.from("export const part = 'VALUE:two';\n"));
    const after = await load();
    expect(after).toMatchObject({ built: true, value: 'two' });
    expect(after.dir).not.toBe(before.dir);
  });

  it('follows a newly added import: the file that imports it changed, and the new file is hashed from then on', async () => {
    place(root, 'src/extra.ts', Buffer.from("export const extra = 'VALUE:three';\n"));
    place(root, 'src/main.ts', Buffer.from("import { extra } from './extra';\nexport const value: string = extra;\n"));
    expect(await load()).toMatchObject({ built: true, value: 'three' });
    place(root, 'src/extra.ts', Buffer.from("export const extra = 'VALUE:four';\n"));
    expect(await load()).toMatchObject({ built: true, value: 'four' });
  });

  it('trusts unchanged file status without re-reading, and still sees a same-size edit', async () => {
    // racyMs 0: no window of distrust after a write, so the status check decides at once.
    const fast = { ...spec, name: 'fast', racyMs: 0 };
    place(root, 'src/main.ts', Buffer.from("import { part } from './part';\nexport const value: string = part;\n"));
    place(root, 'src/part.ts', Buffer.from("export const part = 'VALUE:aaa';\n"));
    const first = await loadBundle(fast);
    const manifest = JSON.parse(readFileSync(join(spec.cacheDir, 'fast.json'), 'utf8')) as { inputs: string[]; stats: unknown[] };
    expect(manifest.stats).toHaveLength(manifest.inputs.length);
    expect(await loadBundle(fast)).toEqual({ ...first, built: false });
    place(root, 'src/part.ts', Buffer.from("export const part = 'VALUE:bbb';\n"));
    const after = await loadBundle(fast);
    expect(after?.built).toBe(true);
    expect(readFileSync(join(after?.dir ?? '', 'main.bundle.js'), 'utf8')).toContain('VALUE:bbb');
  });

  it("runs each entry through V8's code cache: made on first load, used after, remade when unusable", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hilum-code-cache-'));
    const file = join(dir, 'entry.js');
    writeFileSync(
      file,
      "const path = require('node:path');\nexports.answer = () => 42;\nexports.dir = __dirname;\nexports.base = path.basename(__filename);\n",
    );
    const script = `const c = require(${JSON.stringify(join(ROOT, 'cli/bin/code-cache.js'))});
      const m = c.requireWithCodeCache(${JSON.stringify(file)});
      const fs = require('node:fs');
      console.log(JSON.stringify({ answer: m.answer(), dir: m.dir, base: m.base, cache: fs.existsSync(c.cacheFileFor(${JSON.stringify(file)})) }));`;
    const run = (): { answer: number; dir: string; base: string; cache: boolean } =>
      JSON.parse(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout) as never;
    expect(run()).toEqual({ answer: 42, dir, base: 'entry.js', cache: true });
    const cacheFile = readdirSync(dir).find((f) => f.endsWith('.v8cache')) ?? '';
    const made = readFileSync(join(dir, cacheFile));
    expect(run()).toEqual({ answer: 42, dir, base: 'entry.js', cache: true });
    expect(readFileSync(join(dir, cacheFile)).equals(made)).toBe(true); // accepted, so not rewritten
    writeFileSync(join(dir, cacheFile), 'not a code cache');
    expect(run()).toEqual({ answer: 42, dir, base: 'entry.js', cache: true });
    const remade = readFileSync(join(dir, cacheFile));
    expect(remade.toString('latin1')).not.toBe('not a code cache'); // rejected, so made again
    expect(remade.byteLength).toBeGreaterThan(made.byteLength / 2);
  });

  it('gives no bundle (the CLI then runs through tsx) when the sources do not build', async () => {
    place(root, 'src/main.ts', Buffer.from('export const value: string = ;\n'));
    expect(await loadBundle(spec)).toBeUndefined();
  });
});
