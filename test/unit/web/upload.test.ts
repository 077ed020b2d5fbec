import { deidentifyInstance } from '../../../layers/ingest/process-instance';
import { prepareFile } from '../../../web/src/upload/prepare';
import { mayUpload, refusalText, verdictOf } from '../../../web/src/upload/verdict';
import { Preparer, type PrepareRequest, type WorkerLike } from '../../../web/src/upload/protocol';
import { MAX_ATTEMPTS, retryable, retryDelay, TransferProgress } from '../../../web/src/upload/transfer';
import {
  fileKey,
  folderOf,
  loadRecord,
  namesOf,
  planUpload,
  resumable,
  saveRecord,
  storeKey,
  type KeyValueStore,
  type UploadRecord,
} from '../../../web/src/upload/upload-state';
import { makeDicom, SYNTHETIC_PHI } from '../../support/synthetic-dicom';

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const file = (relativePath: string, size = 10) => ({ relativePath, size, lastModified: 1700000000000 });

function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

function record(files: UploadRecord['files'], sealed = false): UploadRecord {
  return { version: 1, submissionId: 'sub-1', project: 'p', site: 's', deidentifiedAtSite: true, sealed, files };
}

describe('upload plan and resume state (browser upload)', () => {
  it('plans in path order: unknown files announced, announced ones resumed, arrived ones skipped', () => {
    const [a, b, c, d] = [file('study/a.dcm'), file('study/b.dcm'), file('study/c.dcm'), file('study/d.dcm')];
    const stored = record({
      [fileKey(a)]: { relativePath: a.relativePath, fileId: 'f-a', announcedSize: 8, status: 'uploaded' },
      [fileKey(c)]: { relativePath: c.relativePath, fileId: 'f-c', announcedSize: 8, status: 'announced' },
    });
    const plan = planUpload([d, c, a, b], stored);
    expect(plan.toAnnounce.map((f) => f.relativePath)).toEqual(['study/b.dcm', 'study/d.dcm']);
    expect(plan.toResume.map((f) => f.relativePath)).toEqual(['study/c.dcm']);
    expect(plan.done.map((f) => f.relativePath)).toEqual(['study/a.dcm']);
  });

  it('a file edited since (another size or modification time) is a new file, not the announced one', () => {
    const before = file('s/x.dcm', 10);
    const stored = record({ [fileKey(before)]: { relativePath: 's/x.dcm', fileId: 'f', announcedSize: 10, status: 'uploaded' } });
    expect(planUpload([{ ...before, lastModified: before.lastModified + 1 }], stored).toAnnounce).toHaveLength(1);
    expect(planUpload([{ ...before, size: 11 }], stored).toAnnounce).toHaveLength(1);
  });

  it('survives a reload through the store; another project, site or de-identification choice starts anew', () => {
    const store = memoryStore();
    const key = storeKey('p', 's', folderOf([file('study/a.dcm'), file('study/sub/b.dcm')]));
    expect(key).toBe('hilum.upload.p.s.study');
    const a = file('study/a.dcm');
    saveRecord(
      store,
      key,
      record({ [fileKey(a)]: { relativePath: a.relativePath, fileId: 'f-a', announcedSize: 9, status: 'announced' } }),
    );
    const loaded = loadRecord(store, key);
    expect(loaded?.submissionId).toBe('sub-1');
    expect(resumable(loaded, [a], { project: 'p', site: 's', deidentifiedAtSite: true })).toBe(true);
    expect(resumable(loaded, [a], { project: 'q', site: 's', deidentifiedAtSite: true })).toBe(false);
    expect(resumable(loaded, [a], { project: 'p', site: 's', deidentifiedAtSite: false })).toBe(false);
    store.setItem(key, '{not json');
    expect(loadRecord(store, key)).toBeUndefined();
  });

  it('a sealed submission resumes only when every file is known to it (nothing left to send)', () => {
    const a = file('s/a.dcm');
    const sealed = record({ [fileKey(a)]: { relativePath: a.relativePath, fileId: 'f-a', announcedSize: 9, status: 'uploaded' } }, true);
    expect(resumable(sealed, [a], { project: 'p', site: 's', deidentifiedAtSite: true })).toBe(true);
    expect(resumable(sealed, [a, file('s/new.dcm')], { project: 'p', site: 's', deidentifiedAtSite: true })).toBe(false);
  });

  it("names quarantined files by the site's own paths", () => {
    const a = file('s/a.dcm');
    expect(
      namesOf(record({ [fileKey(a)]: { relativePath: 's/a.dcm', fileId: 'f-a', announcedSize: 1, status: 'uploaded' } })).get('f-a'),
    ).toBe('s/a.dcm');
  });
});

describe('retries and progress of the transfers', () => {
  it('retries the network, throttling and server errors, not refusals; backs off and caps the wait', () => {
    expect([0, 429, 500, 503].every(retryable)).toBe(true);
    expect([400, 403, 404].some(retryable)).toBe(false);
    expect([1, 2, 3, 4, 10].map(retryDelay)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(MAX_ATTEMPTS).toBeGreaterThan(1);
  });

  it('adds per-file bytes into the total, clamps overshoot, starts a retried file over', () => {
    const p = new TransferProgress([
      { key: 'a', size: 100 },
      { key: 'b', size: 300 },
    ]);
    p.update('a', 50);
    p.update('b', 1000);
    expect(p.of('a').fraction).toBe(0.5);
    expect(p.total()).toMatchObject({ sent: 350, size: 400, files: 2, filesDone: 0 });
    p.restart('b');
    p.finish('a');
    expect(p.total()).toMatchObject({ sent: 100, filesDone: 1, fraction: 0.25 });
    p.finish('b');
    expect(p.total().fraction).toBe(1);
  });

  it('an empty file counts as done only once finished', () => {
    const p = new TransferProgress([{ key: 'e', size: 0 }]);
    expect(p.total().fraction).toBe(0);
    p.finish('e');
    expect(p.total().fraction).toBe(1);
  });
});

describe("the de-identification worker's message protocol", () => {
  function fakeWorker() {
    const sent: PrepareRequest[] = [];
    const worker: WorkerLike = { postMessage: (m) => void sent.push(m), onmessage: null, onerror: null };
    const reply = (data: unknown) => worker.onmessage?.({ data });
    return { worker, sent, reply };
  }

  it('matches each reply to its request by id, in any order', async () => {
    const { worker, sent, reply } = fakeWorker();
    const preparer = new Preparer(worker);
    const first = preparer.prepare(new ArrayBuffer(1), {});
    const second = preparer.prepare(new ArrayBuffer(2), {});
    expect(sent.map((m) => m.id)).toEqual([1, 2]);
    reply({ kind: 'prepared', id: 2, bytes: new ArrayBuffer(7), deidentified: true, outcome: 'pass', findings: [] });
    reply({ kind: 'failed', id: 1, message: 'could not prepare the file (DicomParseError)' });
    expect((await second).bytes.byteLength).toBe(7);
    await expect(first).rejects.toThrow('DicomParseError');
    expect(preparer.inFlight).toBe(0);
  });

  it("carries the verifier's verdict of a copy to the page, and refuses a reply whose verdict is malformed", async () => {
    const { worker, reply } = fakeWorker();
    const preparer = new Preparer(worker);
    const good = preparer.prepare(new ArrayBuffer(1), {});
    const verification = { passed: false, failedChecks: ['no-phi-bytes:PatientName'] };
    reply({ kind: 'prepared', id: 1, bytes: new ArrayBuffer(3), deidentified: true, outcome: 'quarantine', findings: [], verification });
    await expect(good).resolves.toMatchObject({ verification });
    const bad = preparer.prepare(new ArrayBuffer(1), {});
    reply({
      kind: 'prepared',
      id: 2,
      bytes: new ArrayBuffer(3),
      deidentified: true,
      outcome: 'pass',
      findings: [],
      verification: { passed: 'yes' },
    });
    await expect(bad).rejects.toThrow('unreadable');
  });

  it('fails every waiting file when the worker dies or answers nonsense, never leaves one hanging', async () => {
    const { worker, reply } = fakeWorker();
    const preparer = new Preparer(worker);
    const a = preparer.prepare(new ArrayBuffer(1), {});
    reply({ kind: 'prepared', id: 1 });
    await expect(a).rejects.toThrow('unreadable');
    const b = preparer.prepare(new ArrayBuffer(1), {});
    worker.onerror?.({});
    await expect(b).rejects.toThrow('stopped');
  });
});

describe('what the worker does to a file before it leaves the site', () => {
  const key = { secret: 'browser-test-secret-0123456789abcdef', project: 'p', site: 's' };
  const random = () => 'check-only-secret-0123456789abcdef0123';

  it("de-identifies with the project's key: the name and id of the original are gone", () => {
    const prepared = prepareFile(makeDicom({ instanceNumber: 1 }), { deid: key }, random);
    expect(prepared.deidentified).toBe(true);
    expect(prepared.outcome).not.toBe('quarantine');
    const text = latin1(prepared.bytes);
    expect(text).not.toContain(SYNTHETIC_PHI.patientName.split('^')[0]);
    expect(text).not.toContain(SYNTHETIC_PHI.patientId);
  });

  it('without de-identification at the site the original is sent, and only checked', () => {
    const original = makeDicom({ instanceNumber: 1 });
    const prepared = prepareFile(original, {}, random);
    expect(prepared.deidentified).toBe(false);
    expect(Buffer.from(prepared.bytes).equals(Buffer.from(original))).toBe(true);
  });

  it('a file the rules would quarantine is said so with its rule ids, and an unreadable one yields no bytes to send', () => {
    const burned = prepareFile(makeDicom({ modality: 'CR', burnedInAnnotation: 'YES' }), { deid: key }, random);
    expect(burned.outcome).toBe('quarantine');
    expect(burned.findings.map((f) => f.ruleId)).toContain('deid.pixel-review');
    const junk = prepareFile(new Uint8Array(300).fill(7), { deid: key }, random);
    expect(junk).toMatchObject({ outcome: 'quarantine', bytes: new Uint8Array(0) });
    expect(junk.findings.map((f) => f.ruleId)).toEqual(['dicom.parses']);
    expect(verdictOf(junk)).toBe('refused');
  });

  it('passes the copy it made through the independent verifier', () => {
    const prepared = prepareFile(makeDicom({ instanceNumber: 1 }), { deid: key }, random);
    expect(prepared.verification).toEqual({ passed: true, failedChecks: [] });
    expect(verdictOf(prepared)).toBe('checked');
    expect(prepareFile(makeDicom({ instanceNumber: 1 }), {}, random).verification).toBeUndefined();
  });

  it('never sends a copy the verifier fails, even when held files are sent, and names the failing checks without values', () => {
    // A de-identify step that forgot the identifiers: the pipeline's own output with the original's bytes.
    const forgetful: typeof deidentifyInstance = (original, from) => ({ ...deidentifyInstance(original, from), bytes: original });
    const prepared = prepareFile(makeDicom({ instanceNumber: 1 }), { deid: key }, random, forgetful);
    expect(prepared.verification?.passed).toBe(false);
    expect(prepared.verification?.failedChecks.length).toBeGreaterThan(0);
    expect(prepared.findings.map((f) => f.ruleId)).toContain('deid.verified');
    expect(verdictOf(prepared)).toBe('refused');
    expect(mayUpload(verdictOf(prepared), true)).toBe(false);
    const text = refusalText('exam/ct/slice-1.dcm', prepared);
    expect(text).toMatch(/^exam\/ct\/slice-1\.dcm: not uploaded: its de-identified copy failed the verifier \(.+\)$/);
    for (const check of prepared.verification!.failedChecks) expect(text).toContain(check);
    for (const phi of [SYNTHETIC_PHI.patientName, SYNTHETIC_PHI.patientName.split('^')[0]!, SYNTHETIC_PHI.patientId]) {
      expect(text).not.toContain(phi);
      expect(JSON.stringify(prepared.findings)).not.toContain(phi);
    }
  });

  it("checks with the project's QA configuration, not the defaults", () => {
    const dx = makeDicom({ modality: 'DX', instanceNumber: 1 });
    expect(prepareFile(dx, { deid: key }, random).outcome).not.toBe('quarantine');
    const ctOnly = prepareFile(dx, { deid: key, qaConfig: { modalities: ['CT'] } }, random);
    expect(ctOnly.outcome).toBe('quarantine');
    expect(ctOnly.findings.map((f) => f.ruleId)).toContain('scope.modality');
    expect(verdictOf(ctOnly)).toBe('held');
    expect([mayUpload('held', false), mayUpload('held', true), mayUpload('checked', false)]).toEqual([false, true, true]);
  });
});
