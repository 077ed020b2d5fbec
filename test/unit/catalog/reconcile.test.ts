import type { FileStatus } from '../../../layers/catalog/entities';
import type { QuarantineStatus } from '../../../layers/catalog/qa-entities';
import { fileRefOf, planReconcile, quarantineRefOf, waitingFiles, type ReconcileInput } from '../../../layers/catalog/reconcile';

const S = '11111111-1111-4111-8111-111111111111';
const F1 = '22222222-2222-4222-8222-222222222221';
const F2 = '22222222-2222-4222-8222-222222222222';
const now = new Date('2026-12-06T10:00:00Z');
const graceMs = 60_000;
const old = new Date(now.getTime() - graceMs - 1);
const young = new Date(now.getTime() - graceMs + 1000);

const input = (over: Partial<ReconcileInput>): ReconcileInput => ({
  now,
  graceMs,
  intakeObjects: [],
  workObjects: [],
  releasedObjects: [],
  fileStatus: new Map(),
  ...over,
});
const statuses = (entries: Array<[string, FileStatus]>) => new Map(entries.map(([f, s]) => [`${S}/${f}`, s]));

describe('reconciler decisions', () => {
  it('re-drives an announced file whose intake object is older than the grace period', () => {
    const plan = planReconcile(
      input({ intakeObjects: [{ key: `intake/${S}/${F1}`, lastModified: old }], fileStatus: statuses([[F1, 'announced']]) }),
    );
    expect(plan.redrive).toEqual([`intake/${S}/${F1}`]);
    expect(plan.deleteIntake).toEqual([]);
  });

  it('leaves an announced file alone within the grace period (its ingest may be running)', () => {
    const plan = planReconcile(
      input({ intakeObjects: [{ key: `intake/${S}/${F1}`, lastModified: young }], fileStatus: statuses([[F1, 'announced']]) }),
    );
    expect(plan.redrive).toEqual([]);
  });

  it('deletes the intake original of a file that already has an outcome, never re-drives it', () => {
    const plan = planReconcile(
      input({
        intakeObjects: [
          { key: `intake/${S}/${F1}`, lastModified: old },
          { key: `intake/${S}/${F2}`, lastModified: old },
        ],
        fileStatus: statuses([
          [F1, 'staged'],
          [F2, 'quarantined'],
        ]),
      }),
    );
    expect(plan.deleteIntake).toEqual([`intake/${S}/${F1}`, `intake/${S}/${F2}`]);
    expect(plan.redrive).toEqual([]);
    // A quarantined file's original still in intake may be a Quarantine killed before its curator record: checked first.
    expect(plan.finishQuarantine).toEqual([`intake/${S}/${F2}`]);
  });

  it('leaves intake keys hilum never issued or has no record of to the ingest workflow', () => {
    const plan = planReconcile(
      input({
        intakeObjects: [
          { key: 'intake/elsewhere/x.dcm', lastModified: old },
          { key: `intake/${S}/${F2}`, lastModified: old },
        ],
        fileStatus: statuses([[F1, 'announced']]),
      }),
    );
    expect(plan).toEqual({
      redrive: [],
      deleteIntake: [],
      finishQuarantine: [],
      deleteWork: [],
      deleteReleased: [],
      deleteQuarantine: [],
      withdrawQuarantineRecords: [],
    });
  });

  it('deletes settled work copies of handled or unknown files and keeps those of announced files', () => {
    const plan = planReconcile(
      input({
        workObjects: [
          { key: `work/${S}/${F1}.dcm`, lastModified: old },
          { key: `work/${S}/${F2}.dcm`, lastModified: old },
          { key: `work/${S}/33333333-3333-4333-8333-333333333333.dcm`, lastModified: old },
          { key: `work/${S}/${F1}.dcm.tmp`, lastModified: old },
        ],
        fileStatus: statuses([
          [F1, 'staged'],
          [F2, 'announced'],
        ]),
      }),
    );
    expect(plan.deleteWork).toEqual([`work/${S}/${F1}.dcm`, `work/${S}/33333333-3333-4333-8333-333333333333.dcm`]);
  });

  it('deletes a released instance object with no catalog record only once it is older than the grace period', () => {
    const plan = planReconcile(
      input({
        releasedObjects: [
          { key: 'studies/1.2/1.2.3/1.2.3.4.dcm', lastModified: old, recorded: false },
          { key: 'studies/1.2/1.2.3/1.2.3.5.dcm', lastModified: young, recorded: false },
          { key: 'studies/1.2/1.2.3/1.2.3.6.dcm', lastModified: old, recorded: true },
          { key: 'studies/1.2/archive.zip', lastModified: old, recorded: false },
        ],
      }),
    );
    expect(plan.deleteReleased).toEqual(['studies/1.2/1.2.3/1.2.3.4.dcm']);
  });

  it('deletes settled quarantine copies and sidecars of files that were staged after all, and withdraws their open records', () => {
    const F3 = '22222222-2222-4222-8222-222222222223';
    const F4 = '22222222-2222-4222-8222-222222222224';
    const q = (f: string, lastModified = old) => [
      { key: `quarantine/${S}/${f}`, lastModified },
      { key: `quarantine/${S}/${f}.json`, lastModified },
    ];
    const plan = planReconcile(
      input({
        // F1: a Quarantine killed before its outcome write, then staged; F2: staged with no record written yet;
        // F3: really quarantined; F4: a curator's release (staged, record released) keeps its copy.
        quarantineObjects: [...q(F1), ...q(F2), ...q(F3), ...q(F4)],
        fileStatus: statuses([
          [F1, 'staged'],
          [F2, 'staged'],
          [F3, 'quarantined'],
          [F4, 'staged'],
        ]),
        quarantineRecordStatus: new Map<string, QuarantineStatus>([
          [`${S}/${F1}`, 'quarantined'],
          [`${S}/${F3}`, 'quarantined'],
          [`${S}/${F4}`, 'released'],
        ]),
      }),
    );
    expect(plan.deleteQuarantine).toEqual([...q(F1), ...q(F2)].map((o) => o.key));
    expect(plan.withdrawQuarantineRecords).toEqual([`${S}/${F1}`]);
  });

  it('leaves a young quarantine copy of a staged file alone (a study rule may be sending it back right now)', () => {
    const plan = planReconcile(
      input({
        quarantineObjects: [{ key: `quarantine/${S}/${F1}`, lastModified: young }],
        fileStatus: statuses([[F1, 'staged']]),
      }),
    );
    expect(plan.deleteQuarantine).toEqual([]);
  });

  it('keeps an unrecorded released object while the file that claimed its SOP is still announced (its re-driven Stage may be about to record it)', () => {
    const key = 'studies/2.25.1/2.25.1.1/2.25.1.1.1.dcm';
    const plan = (claimantStatus?: FileStatus) =>
      planReconcile(
        input({ releasedObjects: [{ key, lastModified: old, recorded: false, ...(claimantStatus ? { claimantStatus } : {}) }] }),
      ).deleteReleased;
    expect(plan('announced')).toEqual([]);
    expect(plan('quarantined')).toEqual([key]);
    expect(plan(undefined)).toEqual([key]);
  });

  it('names the file of quarantine copies and sidecars only', () => {
    expect(quarantineRefOf(`quarantine/${S}/${F1}`)).toBe(`${S}/${F1}`);
    expect(quarantineRefOf(`quarantine/${S}/${F1}.json`)).toBe(`${S}/${F1}`);
    expect(quarantineRefOf(`quarantine/unannounced/x.dcm`)).toBeUndefined();
    expect(quarantineRefOf(`intake/${S}/${F1}`)).toBeUndefined();
  });

  it('names the file of intake and work keys only', () => {
    expect(fileRefOf(`intake/${S}/${F1}`)).toBe(`${S}/${F1}`);
    expect(fileRefOf(`work/${S}/${F1}.dcm`)).toBe(`${S}/${F1}`);
    expect(fileRefOf(`intake/${S}/${F1}/extra`)).toBeUndefined();
    expect(fileRefOf(`studies/${S}/${F1}.dcm`)).toBeUndefined();
  });
});

describe('waiting files of a submission', () => {
  it('lists the files without an outcome, longest waiting first, with the time they were announced', () => {
    expect(
      waitingFiles([
        { fileId: 'b', status: 'announced', announcedAt: '2026-12-06T10:00:02Z' },
        { fileId: 'c', status: 'staged', announcedAt: '2026-12-06T09:00:00Z' },
        { fileId: 'a', status: 'announced', announcedAt: '2026-12-06T10:00:01Z' },
        { fileId: 'd', status: 'missing', announcedAt: '2026-12-06T09:00:00Z' },
      ]),
    ).toEqual([
      { fileId: 'a', status: 'announced', since: '2026-12-06T10:00:01Z' },
      { fileId: 'b', status: 'announced', since: '2026-12-06T10:00:02Z' },
    ]);
  });
});
