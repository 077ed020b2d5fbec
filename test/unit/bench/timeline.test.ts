/**
 * The ingest bench's timeline report (bench/timeline.ts): from the sampler's per-thread scheduler figures and the
 * marked events, the cores the process tree asked for per phase and the core-seconds a 2-core machine left idle.
 */
import { timelineReport, type TimelineEvent } from '../../../bench/timeline';

const BENCH = 100;
const JVM = 200;
const UPLOAD = 300;

/** One sampler line at `t` ms: each thread's ran and waited nanoseconds since the line before. */
const sample = (t: number, threads: [number, number, string, number, number][]) => ({ t, threads });
const ms = (n: number) => n * 1e6;

describe('timelineReport', () => {
  // Set from 0 to 1,000 ms. The client alone asks 1 core until 400 ms (its check); then the commons' main thread
  // and a worker ask 2 cores (one ran, one waited: a waited core is asked too) until 800 ms; then the JVM 0.5.
  const samples = [sample(0, [])];
  for (let t = 100; t <= 1000; t += 100) {
    if (t <= 400) samples.push(sample(t, [[UPLOAD, UPLOAD, 'node', ms(100), 0]]));
    else if (t <= 800)
      samples.push(
        sample(t, [
          [BENCH, BENCH, 'node', ms(100), 0],
          [BENCH, 101, 'WorkerThread', ms(50), ms(50)],
        ]),
      );
    else samples.push(sample(t, [[JVM, 201, 'java', ms(50), 0]]));
  }
  const events: TimelineEvent[] = [
    { t: 0, kind: 'mark', what: 'set-start radiographs' },
    { t: 400, kind: 'invoke', fn: 'CreateSubmission', lane: 0, end: 420 },
    { t: 450, kind: 'queued' },
    { t: 500, kind: 'queued' },
    { t: 500, kind: 'batch', records: 2 },
    { t: 500, kind: 'invoke', fn: 'IngestBatch', lane: 1, end: 800 },
    { t: 800, kind: 'execution', workflow: 'submission', end: 900 },
    { t: 950, kind: 'mark', what: 'upload-exit radiographs' },
    { t: 1000, kind: 'mark', what: 'set-end radiographs' },
  ];
  const report = timelineReport(events, samples, { bench: BENCH, upload: UPLOAD, jvm: JVM });

  it('counts the core-seconds a 2-core machine idled over the set: 2 less the cores asked, over time', () => {
    // Idle: 0.4 s x 1 core + 0.4 s x 0 + 0.2 s x 1.5 cores = 0.7 core-seconds of 2 s.
    expect(report).toContain('== radiographs: 1.00 s, cores asked 1.30 of 2, idle core-seconds 0.70 (35%)');
  });

  it('splits the set into its phases at the first CreateSubmission, the first and last object queued, the last batch and the upload exit', () => {
    expect(report).toMatch(/start \+ check \(to CreateSubmission\) +0\.00 -> +0\.40 s +asked 1\.00 +idle 0\.40 core-s/);
    expect(report).toMatch(/batches after the last PUT +0\.50 -> +0\.80 s +asked 2\.00 +idle 0\.00 core-s/);
    expect(report).toMatch(/after the last batch, to --wait exit +0\.80 -> +0\.95 s +asked 0\.50 +idle 0\.23 core-s/);
    expect(report).toContain('execution submission: 0.80 -> 0.90 s');
    expect(report).toContain('pipe batches: 0.50s:2');
  });

  it('lists what each group of threads asked per 250 ms bucket', () => {
    // 250-500 ms: the client 150 ms of 250 (0.60), the commons' main thread 100 of 250 (0.40), a worker 0.40.
    expect(report).toMatch(/ {4}0\.25 +1\.40 #+ +0\.60 +0\.00 +0\.40 +0\.40 /);
  });
});
