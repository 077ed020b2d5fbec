/**
 * QA end to end on the local commons: a submission mixing good files, a truncated
 * file, a non-DICOM file, a burned-in-annotation file, duplicates (identical and
 * conflicting) and an out-of-scope modality (MR). The report names each with the
 * right rule, only the good files are published, the quarantined ones sit in the
 * quarantine bucket with sidecars, a curator's release of the burned-in file (with
 * a reason) publishes it, and a researcher gets 403 on every curator route. Then:
 * study-level quarantine moves staged files back, and never-received files stop
 * blocking publication after the grace period.
 */
import { Hash, type BinaryLike } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { createProject } from '../support/projects';
import { HilumApi } from '../../cli/lib/api-client';
import { DEFAULT_QA_CONFIG, type QaReport } from '../../layers/qa';
import { makeDicom, makeSeries } from '../support/synthetic-dicom';
import { CT_RESCALE } from '../unit/qa/support';
import { localS3Client } from '../support/local-clients';
import { ObjectStore } from '../../layers/adapters/aws/objects';

jest.setTimeout(240_000);

const FIXTURES = join(__dirname, '../fixtures/dicom');
const fixture = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)));
const STUDY = '1.2.826.0.1.3680043.8.498.4242.1';
const SERIES = '1.2.826.0.1.3680043.8.498.4242.2';

interface QuarantineItem {
  quarantineId: string;
  fileId: string;
  submissionId: string;
  rules: string[];
  status: string;
  objectKind: string;
  history?: { action: string; actor: string; reason?: string }[];
}

describe('QA, quarantine and curator review on the local commons', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let site: HilumApi;
  let researcher: HilumApi;
  let curator: HilumApi;
  let s3: S3Client;
  let submissionId: string;
  const ids: Record<string, string> = {};

  const good = makeSeries(3, { studyInstanceUid: STUDY, seriesInstanceUid: SERIES, elements: CT_RESCALE, patient: { id: 'QA-PATIENT-1' } });
  const files: Record<string, Uint8Array> = {
    'good-1.dcm': good[0]!,
    'good-2.dcm': good[1]!,
    'good-3.dcm': good[2]!,
    'truncated.dcm': fixture('malformed/MR_truncated.dcm'),
    'notes.dcm': Buffer.from('a clinical note, not an image\n'),
    'burned.dcm': fixture('patient-77654033/cr-cspine/CR1_6154_burned_in_annotation_flag.dcm'),
    'mr.dcm': fixture('transfer-syntax/MR_small.dcm'),
  };
  // Uploaded after the first batch is ingested: the same bytes again, and other bytes under good-1's SOP Instance UID.
  const later: Record<string, Uint8Array> = {
    'good-2-again.dcm': good[1]!,
    'conflict.dcm': makeDicom({
      studyInstanceUid: STUDY,
      seriesInstanceUid: SERIES,
      elements: CT_RESCALE,
      patient: { id: 'QA-PATIENT-1' },
      instanceNumber: 9,
      sopInstanceUid: `${SERIES}.1`,
    }),
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-qa-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-a'));
    researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-1'));
    const curatorToken = await commons.issueToken(['curator'], 'curator-1');
    curator = new HilumApi(commons.apiUrl, curatorToken);
    for (const project of ['qa-study', 'mixed-study', 'late-study']) await createProject(commons.apiUrl, curatorToken, project, ['site-a']);
    s3 = localS3Client(commons);
  });

  afterAll(async () => {
    await commons?.stop();
    s3?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes only the good files and reports every other file with the right rule', async () => {
    submissionId = (await site.createSubmission('qa-study', 'site-a')).submissionId;
    const all = { ...files, ...later };
    const { uploads } = await site.requestUploads(
      submissionId,
      Object.entries(all).map(([name, bytes]) => ({ name, size: bytes.byteLength })),
    );
    for (const u of uploads) ids[u.name ?? u.fileId] = u.fileId;
    for (const u of uploads.filter((x) => x.name && files[x.name]))
      expect((await fetch(u.url!, { method: 'PUT', body: files[u.name!]! })).status).toBe(200);
    await commons.idle();
    for (const u of uploads.filter((x) => x.name && later[x.name]))
      expect((await fetch(u.url!, { method: 'PUT', body: later[u.name!]! })).status).toBe(200);
    await site.completeSubmission(submissionId);
    await commons.idle();

    expect(await site.getSubmission(submissionId)).toMatchObject({
      status: 'published',
      fileCount: 9,
      stagedCount: 4,
      quarantinedCount: 5,
    });
    const report = await site.request<QaReport>('GET', `/submissions/${submissionId}/report`);
    expect(report).toMatchObject({
      schema: 'hilum.qa-report/1',
      final: true,
      counts: { files: 9, pass: 4, warn: 0, quarantine: 5, missing: 0, pending: 0 },
    });
    const rulesOf = (name: string) => report.quarantined.find((q) => q.fileId === ids[name])?.rules;
    expect(rulesOf('truncated.dcm')).toEqual(['dicom.parses']);
    expect(rulesOf('notes.dcm')).toEqual(['dicom.parses']);
    expect(rulesOf('burned.dcm')).toEqual(['deid.pixel-review']);
    expect(rulesOf('conflict.dcm')).toEqual(['uids.duplicate-sop']);
    expect(rulesOf('mr.dcm')).toEqual(expect.arrayContaining(['scope.modality']));
    expect(report.quarantined).toHaveLength(5);
    expect(report.rules.find((r) => r.ruleId === 'dicom.parses')).toMatchObject({ severity: 'quarantine', count: 2 });
    expect(report.warnings).toEqual([
      expect.objectContaining({ ruleId: 'submission.cases', message: 'no clinical data was provided for this submission' }),
    ]);
    // The identical re-upload is idempotent: staged, no finding, still one instance.
    expect(report.quarantined.map((q) => q.fileId)).not.toContain(ids['good-2-again.dcm']);

    const { studies } = await researcher.listStudies();
    const published = studies.filter((s) => s.project === 'qa-study');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ modalities: ['CT'], instanceCount: 3 });
  });

  it('keeps each quarantined file in the quarantine bucket with a sidecar naming its rules, never a value', async () => {
    for (const name of ['truncated.dcm', 'notes.dcm', 'burned.dcm', 'conflict.dcm', 'mr.dcm']) {
      const key = `quarantine/${submissionId}/${ids[name]}`;
      expect(await listKeys(commons.buckets.quarantine, key)).toEqual([key, `${key}.json`]);
      const sidecar = JSON.parse(await getText(commons.buckets.quarantine, `${key}.json`));
      expect(sidecar).toMatchObject({ submissionId, fileId: ids[name], objectKind: 'original', rules: expect.any(Array) });
      expect(sidecar.rules.length).toBeGreaterThan(0);
      expect(JSON.stringify(sidecar)).not.toMatch(/Doe\^Archibald|77654033|CompressedSamples/i);
    }
    expect(await listKeys(commons.buckets.intake, '')).toEqual([]);
  });

  it('serves the report as Markdown with ?format=md and Accept: text/markdown, and stored it under reports/', async () => {
    const token = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
    for (const [query, headers] of [
      ['?format=md', {}],
      ['', { accept: 'text/markdown' }],
    ] as const) {
      const response = await fetch(`${commons.apiUrl}/submissions/${submissionId}/report${query}`, {
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/markdown');
      const md = await response.text();
      expect(md).toContain(`# QA report: submission ${submissionId}`);
      expect(md).toContain('`deid.pixel-review`');
    }
    expect(await listKeys(commons.buckets.released, `reports/${submissionId}/`)).toEqual([
      `reports/${submissionId}/qa-report.json`,
      `reports/${submissionId}/qa-report.md`,
    ]);
    const other = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-b'], 'uploader-b'));
    await expect(other.request('GET', `/submissions/${submissionId}/report`)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses researchers and site uploaders on every curator route (403)', async () => {
    const id = ids['burned.dcm']!;
    const calls: [string, string, unknown?][] = [
      ['GET', '/quarantine'],
      ['GET', `/quarantine/${id}`],
      ['POST', `/quarantine/${id}/release`, { reason: 'looks fine' }],
      ['POST', `/quarantine/${id}/reject`, { reason: 'no' }],
      ['PUT', '/projects/qa-study/qa-config', { modalities: ['CT'] }],
    ];
    for (const caller of [researcher, site]) {
      for (const [method, path, body] of calls) await expect(caller.request(method, path, body)).rejects.toMatchObject({ status: 403 });
    }
    await expect(researcher.request('GET', `/submissions/${submissionId}/report`)).rejects.toMatchObject({ status: 403 });
  });

  it("lets a contributing site read its project's QA configuration (defaults, then the curator's), and answers another site 404", async () => {
    const curatorToken = await commons.issueToken(['curator'], 'curator-1');
    await createProject(commons.apiUrl, curatorToken, 'qa-config-read', ['site-a']);
    await expect(site.request('GET', '/projects/qa-config-read/qa-config')).resolves.toMatchObject({
      project: 'qa-config-read',
      custom: false,
      config: { modalities: DEFAULT_QA_CONFIG.modalities },
    });
    await curator.request('PUT', '/projects/qa-config-read/qa-config', { modalities: ['CT'] });
    await expect(site.request('GET', '/projects/qa-config-read/qa-config')).resolves.toMatchObject({
      custom: true,
      config: { modalities: ['CT'] },
    });
    await expect(curator.request('GET', '/projects/qa-config-read/qa-config')).resolves.toMatchObject({ config: { modalities: ['CT'] } });
    const otherSite = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-b'], 'uploader-b'));
    await expect(otherSite.request('GET', '/projects/qa-config-read/qa-config')).rejects.toMatchObject({ status: 404 });
    await expect(site.request('GET', '/projects/no-such-project/qa-config')).rejects.toMatchObject({ status: 404 });
    await expect(researcher.request('GET', '/projects/qa-config-read/qa-config')).rejects.toMatchObject({ status: 403 });
  });

  it('lets a curator list and filter the quarantine by submission, rule and project', async () => {
    const all = await curator.request<{ items: QuarantineItem[] }>('GET', `/quarantine?submission=${submissionId}`);
    expect(all.items.map((i) => i.fileId).sort()).toEqual(
      ['truncated.dcm', 'notes.dcm', 'burned.dcm', 'conflict.dcm', 'mr.dcm'].map((n) => ids[n]).sort(),
    );
    const pixel = await curator.request<{ items: QuarantineItem[] }>('GET', `/quarantine?rule=deid.pixel-review&project=qa-study`);
    expect(pixel.items.map((i) => i.fileId)).toEqual([ids['burned.dcm']]);
    const paged = await curator.request<{ items: QuarantineItem[]; cursor?: string }>(
      'GET',
      `/quarantine?submission=${submissionId}&limit=2`,
    );
    expect(paged.items).toHaveLength(2);
    const rest = await curator.request<{ items: QuarantineItem[] }>(
      'GET',
      `/quarantine?submission=${submissionId}&limit=10&cursor=${paged.cursor}`,
    );
    expect(rest.items).toHaveLength(3);
    expect(await curator.request('GET', `/quarantine?project=no-such-project`)).toEqual({ items: [] });
  });

  it('refuses a release that does not override the blocking rule, and refuses overriding the verifier or the scope', async () => {
    const id = ids['burned.dcm']!;
    await expect(curator.request('POST', `/quarantine/${id}/release`, { reason: 'checked the pixels' })).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('deid.pixel-review'),
    });
    await expect(
      curator.request('POST', `/quarantine/${id}/release`, { reason: 'x-ray is fine', override: ['deid.verified'] }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      curator.request('POST', `/quarantine/${ids['mr.dcm']}/release`, { reason: 'we want MR', override: ['scope.modality'] }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(curator.request('POST', `/quarantine/${id}/release`, { override: ['deid.pixel-review'] })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('publishes the burned-in file when a curator releases it with a written reason, and audits who, when, what and why', async () => {
    const id = ids['burned.dcm']!;
    // The released copy's PUT is confirmed by the checksum S3 answers: no HEAD of the released bucket (the API runs here).
    const releasedHeads: string[] = [];
    const send = S3Client.prototype.send;
    const spy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: unknown, ...rest: unknown[]) {
      if (command instanceof HeadObjectCommand && command.input.Bucket === commons.buckets.released)
        releasedHeads.push(String(command.input.Key));
      return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
    } as never);
    // The copy is hashed once, for its SOP claim, its PUT's checksum and the catalog (it was hashed twice: the claim, the PUT).
    const hashed: unknown[] = [];
    const update = Hash.prototype.update;
    const hashSpy = jest.spyOn(Hash.prototype, 'update').mockImplementation(function (this: Hash, data: BinaryLike, ...rest: unknown[]) {
      hashed.push(data);
      return (update as (...args: unknown[]) => Hash).call(this, data, ...rest);
    } as never);
    const putBodies: Uint8Array[] = [];
    const put = ObjectStore.prototype.put;
    const putSpy = jest.spyOn(ObjectStore.prototype, 'put').mockImplementation(function (this: ObjectStore, ...args) {
      if (args[0] === commons.buckets.released && args[1].endsWith('.dcm')) putBodies.push(args[2]);
      return put.apply(this, args);
    });
    const released = await curator
      .request<{ status: string; published: boolean; studyUid: string }>('POST', `/quarantine/${id}/release`, {
        reason: 'reviewed: the annotation flag is set but the pixels carry no text',
        override: ['deid.pixel-review'],
      })
      .finally(() => {
        spy.mockRestore();
        hashSpy.mockRestore();
        putSpy.mockRestore();
      });
    expect(released).toMatchObject({ status: 'released', published: true });
    expect(releasedHeads.filter((key) => key.endsWith('.dcm'))).toEqual([]);
    expect(putBodies).toHaveLength(1);
    expect(hashed.filter((data) => data === putBodies[0])).toHaveLength(1);

    const cr = (await researcher.listStudies({ modality: 'CR' })).studies.filter((s) => s.project === 'qa-study');
    expect(cr).toHaveLength(1);
    expect(cr[0]).toMatchObject({ studyUid: released.studyUid, instanceCount: 1 });
    const { files: crFiles } = await researcher.studyFiles(released.studyUid);
    expect(crFiles).toHaveLength(1);
    expect((await fetch(crFiles[0]!.url)).status).toBe(200);

    const record = await curator.request<QuarantineItem>('GET', `/quarantine/${id}`);
    expect(record.status).toBe('released');
    expect(record.history!.map((h) => h.action)).toEqual(['quarantine.release-refused', 'quarantine.release']);
    expect(record.history![1]).toMatchObject({
      reason: 'reviewed: the annotation flag is set but the pixels carry no text',
      actor: expect.stringMatching(/.+/),
      at: expect.any(String),
    });
    await expect(
      curator.request('POST', `/quarantine/${id}/release`, { reason: 'again', override: ['deid.pixel-review'] }),
    ).rejects.toMatchObject({ status: 409 });

    expect(await site.getSubmission(submissionId)).toMatchObject({ stagedCount: 5, quarantinedCount: 4 });
    const report = await site.request<QaReport>('GET', `/submissions/${submissionId}/report`);
    expect(report.reviewed).toEqual([expect.objectContaining({ fileId: id, action: 'released', overrides: ['deid.pixel-review'] })]);
    expect(report.quarantined.map((q) => q.fileId)).not.toContain(id);
  });

  it('rejects a quarantined file: the object is deleted, the record, sidecar and audit event stay', async () => {
    const id = ids['notes.dcm']!;
    await curator.request('POST', `/quarantine/${id}/reject`, { reason: 'not an image; the site will resend' });
    expect(await listKeys(commons.buckets.quarantine, `quarantine/${submissionId}/${id}`)).toEqual([
      `quarantine/${submissionId}/${id}.json`,
    ]);
    const record = await curator.request<QuarantineItem>('GET', `/quarantine/${id}`);
    expect(record).toMatchObject({
      status: 'rejected',
      history: [expect.objectContaining({ action: 'quarantine.reject', reason: 'not an image; the site will resend' })],
    });
    await expect(curator.request('POST', `/quarantine/${id}/release`, { reason: 'changed my mind' })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('sends staged files of a study holding two patients back to quarantine before anything is published', async () => {
    const study = '1.2.826.0.1.3680043.8.498.4343.1';
    const series = '1.2.826.0.1.3680043.8.498.4343.2';
    const a = makeDicom({
      studyInstanceUid: study,
      seriesInstanceUid: series,
      elements: CT_RESCALE,
      instanceNumber: 1,
      patient: { id: 'PATIENT-A' },
    });
    const b = makeDicom({
      studyInstanceUid: study,
      seriesInstanceUid: series,
      elements: CT_RESCALE,
      instanceNumber: 2,
      patient: { id: 'PATIENT-B' },
    });
    const opened = (await site.createSubmission('mixed-study', 'site-a')).submissionId;
    const { uploads } = await site.requestUploads(opened, [
      { name: 'a.dcm', size: a.byteLength },
      { name: 'b.dcm', size: b.byteLength },
    ]);
    await fetch(uploads[0]!.url!, { method: 'PUT', body: a });
    await fetch(uploads[1]!.url!, { method: 'PUT', body: b });
    await site.completeSubmission(opened);
    await commons.idle();

    expect(await site.getSubmission(opened)).toMatchObject({ status: 'published', stagedCount: 0, quarantinedCount: 2 });
    expect((await researcher.listStudies()).studies.filter((s) => s.project === 'mixed-study')).toEqual([]);
    const report = await site.request<QaReport>('GET', `/submissions/${opened}/report`);
    expect(report.quarantined.map((q) => q.rules)).toEqual([['study.one-patient'], ['study.one-patient']]);
    for (const u of uploads) {
      const key = `quarantine/${opened}/${u.fileId}`;
      expect(await listKeys(commons.buckets.quarantine, key)).toEqual([key, `${key}.json`]);
      expect(JSON.parse(await getText(commons.buckets.quarantine, `${key}.json`))).toMatchObject({
        objectKind: 'deidentified',
        rules: ['study.one-patient'],
      });
    }
    // The released copies are gone (after their copies reached quarantine): nothing left under the study.
    const record = await curator.request<QuarantineItem & { studyUid: string }>('GET', `/quarantine/${uploads[0]!.fileId}`);
    expect(record).toMatchObject({ objectKind: 'deidentified', status: 'quarantined', studyUid: expect.stringMatching(/^[0-9.]+$/) });
    expect(await listKeys(commons.buckets.released, `studies/${record.studyUid}/`)).toEqual([]);
  });

  it('marks announced files that never arrive as missing after the grace period, so the submission publishes', async () => {
    const bytes = makeDicom({
      studyInstanceUid: '1.2.826.0.1.3680043.8.498.4444.1',
      seriesInstanceUid: '1.2.826.0.1.3680043.8.498.4444.2',
      elements: CT_RESCALE,
    });
    const opened = (await site.createSubmission('late-study', 'site-a')).submissionId;
    const { uploads } = await site.requestUploads(opened, [
      { name: 'here.dcm', size: bytes.byteLength },
      { name: 'never.dcm', size: 1234 },
    ]);
    await fetch(uploads[0]!.url!, { method: 'PUT', body: bytes });
    await site.completeSubmission(opened);
    await commons.idle();
    expect(await site.getSubmission(opened)).toMatchObject({ status: 'sealed', stagedCount: 1 });

    // Within the grace period nothing changes; a day later the reconciler marks the file missing.
    expect(await commons.invoke('Reconcile', {})).toMatchObject({ missing: 0 });
    expect(await site.getSubmission(opened)).toMatchObject({ status: 'sealed', stagedCount: 1 });
    const tomorrow = new Date(Date.now() + 25 * 3600_000).toISOString();
    expect(await commons.invoke('Reconcile', { now: tomorrow })).toMatchObject({ missing: 1 });
    await commons.idle();

    expect(await site.getSubmission(opened)).toMatchObject({ status: 'published', stagedCount: 1, missingCount: 1 });
    const report = await site.request<QaReport>('GET', `/submissions/${opened}/report`);
    expect(report).toMatchObject({ final: true, missing: [uploads[1]!.fileId], counts: { missing: 1, quarantine: 0 } });
    expect(report.warnings.map((w) => w.ruleId)).toContain('submission.all-received');
  });

  async function listKeys(bucket: string, prefix: string): Promise<string[]> {
    const result = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (result.Contents ?? []).map((o) => o.Key!).sort();
  }

  async function getText(bucket: string, key: string): Promise<string> {
    const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return result.Body!.transformToString();
  }
});
