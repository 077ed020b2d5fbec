/**
 * The chaos suite at CI size (issue 12; `npm run bench chaos` is the full size): about
 * 30 instances from several projects and sites through `hilum upload` into a `hilum start`
 * whose runtime fails 10% of the workflows' task invocations (thrown errors and timeouts),
 * duplicates 20% of the S3 "Object Created" events and delivers 20% late, killed with
 * SIGKILL of its process group once mid-ingest and restarted on the same data folder;
 * the reconciler (every 2 s, grace 6 s) then runs until the commons drains. The figures
 * are computed from the catalog, the buckets and the released bytes (test/support/chaos.ts).
 */
import { formatChaosReport, runChaos, type ChaosReport } from '../support/chaos';

jest.setTimeout(300_000);

/*
 * 30 instances in 4 studies of 6-12 (all three projects, three sites) still give every fault kind
 * the tests assert: seed 20261206 injected 36 task failures (each of the four kinds), 17 duplicated
 * and 10 late events, hit 19 files (14 retried to success, 5 quarantined) and 2 submission-workflow
 * tasks, and killed the commons after 8 files. 60 instances proved nothing more (66 task failures,
 * 30 files hit) and took a fifth longer. Since the per-object workflow is one task (IngestObject,
 * issue 21) an object makes a fifth of the task invocations, so the same seed draws fewer failures:
 * 9 (each kind at least twice), 5 duplicated and 3 late events, 4 files hit (all retried to
 * success), 5 submission-workflow task failures.
 */
const INSTANCES = 30;

describe('chaos: faults, duplicated and late events, a kill -9 and a restart', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({
      instances: INSTANCES,
      seed: 20261206,
      kills: 1,
      studySize: [6, 12],
      drainTimeoutMs: 150_000,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    // The figures, for whoever reads the CI log.
    console.log(formatChaosReport(report));
  });

  it('injected every kind of fault it was asked for and killed the commons mid-ingest', () => {
    expect(report.kills).toHaveLength(1);
    expect(report.kills[0]!.afterHandled).toBeLessThan(INSTANCES);
    const tasks = ['Lambda.ServiceException', 'InjectedFault', 'Sandbox.Timedout', 'States.Timeout'].reduce(
      (n, k) => n + (report.injected[k] ?? 0),
      0,
    );
    expect(tasks).toBeGreaterThan(0);
    expect(report.injected['duplicated events']).toBeGreaterThan(0);
    expect(report.injected['late events']).toBeGreaterThan(0);
    expect(report.failures.filesHit).toBeGreaterThan(0);
  });

  it('drains: nothing lost, nothing published twice, nothing stuck, no orphans', () => {
    // Includes the submission workflow's completeness: each submission's QA report stored and every published
    // study found by search, also when an execution failed after PublishSubmission (the reconciler runs it again).
    expect(report.problems).toEqual([]);
    expect(report.drained).toBe(true);
    expect({ lost: report.lost, publishedTwice: report.publishedTwice, stuck: report.stuck, orphans: report.orphansTotal }).toEqual({
      lost: 0,
      publishedTwice: 0,
      stuck: 0,
      orphans: 0,
    });
    expect(report.published + report.quarantined).toBe(INSTANCES);
    expect(report.studyCountsDiffering).toBe(0);
  });

  it('accounts for every failure: each file a fault hit was retried to success or quarantined with a reason, and no other file was quarantined', () => {
    expect(report.failures.neither).toBe(0);
    expect(report.failures.retriedToSuccess + report.failures.quarantinedWithReason).toBe(report.failures.filesHit);
    expect(report.quarantinedWithoutFault).toBe(0);
  });
});
