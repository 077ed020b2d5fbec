/**
 * The `submission.cases` QA rule sees the cases a site sent (issue 12). Its data used to come
 * from a repository method no repository had (duck-typed), so every submission was warned
 * "no clinical data", also one whose site had sent cases.csv. Cases and studies meet on the
 * patient pseudonym: the case id of a cases.csv row is the PatientID of the patient's studies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HilumApi } from '../../cli/lib/api-client';
import type { QaReport } from '../../layers/qa';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(240_000);

const PROJECT = 'qa-cases';
const SITE = 'site-qa-cases';
const NO_CLINICAL_DATA = 'no clinical data was provided for this submission';

describe('the submission.cases rule', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let token: string;
  let site: HilumApi;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-qa-cases-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-qa-cases'));
    await curator.request('POST', '/projects', { projectId: PROJECT, name: 'qa cases', availability: 'open', sites: [SITE] });
    token = await commons.issueToken([`site-uploader:${SITE}`], 'uploader-qa-cases');
    site = new HilumApi(commons.apiUrl, token);
  });

  afterAll(async () => {
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Submits studies (one per patient id), with the cases.csv given, and returns the QA report's submission-level findings. */
  async function submit(studies: readonly { study: string; patientId: string }[], casesCsv?: string): Promise<QaReport['warnings']> {
    const { submissionId } = await site.createSubmission(PROJECT, SITE);
    if (casesCsv !== undefined) {
      const response = await fetch(`${commons.apiUrl}/submissions/${submissionId}/cases`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body: casesCsv,
      });
      expect(response.status).toBe(200);
    }
    const files = studies.flatMap(({ study, patientId }) =>
      makeSeries(1, {
        modality: 'CT',
        rows: 32,
        columns: 32,
        studyInstanceUid: study,
        seriesInstanceUid: `${study}.1`,
        patient: { id: patientId },
      }).map((bytes, i) => ({ name: `${patientId}-${i}.dcm`, bytes })),
    );
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    for (const u of uploads)
      expect((await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes })).status).toBe(200);
    await site.completeSubmission(submissionId);
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: files.length });
    const report = await site.request<QaReport>('GET', `/submissions/${submissionId}/report`);
    return report.warnings.filter((w) => w.ruleId === 'submission.cases');
  }

  it('does not warn "no clinical data" when the site sent a case for every study', async () => {
    const warnings = await submit(
      [
        { study: '1.2.826.0.1.3680043.8.498.7001.1', patientId: 'MRN-7001' },
        { study: '1.2.826.0.1.3680043.8.498.7002.1', patientId: 'MRN-7002' },
      ],
      'case_id,sex,age_at_index\nMRN-7001,Female,41\nMRN-7002,Male,63\n',
    );
    expect(warnings).toEqual([]);
  });

  it('names the one study whose patient has no case', async () => {
    const warnings = await submit(
      [
        { study: '1.2.826.0.1.3680043.8.498.7003.1', patientId: 'MRN-7003' },
        { study: '1.2.826.0.1.3680043.8.498.7004.1', patientId: 'MRN-7004' },
      ],
      'case_id,sex\nMRN-7003,Female\n',
    );
    expect(warnings).toEqual([
      expect.objectContaining({ message: 'the study has no clinical case', studyUid: expect.stringMatching(/^2\.25\./) }),
    ]);
  });

  it('warns "no clinical data" when the site sent no cases.csv', async () => {
    const warnings = await submit([{ study: '1.2.826.0.1.3680043.8.498.7005.1', patientId: 'MRN-7005' }]);
    expect(warnings).toEqual([expect.objectContaining({ message: NO_CLINICAL_DATA })]);
  });
});
