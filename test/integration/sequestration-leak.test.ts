/**
 * Sequestered data is reachable through no researcher route (docs/sequestration.md). A project
 * sequesters half of its cases (settings.sequestrationShare 0.5); a release draws them. Then, as
 * a researcher, the test walks EVERY route of the route catalogue (layers/access/matrix.ts): the
 * routes a researcher may not call must answer 403; every route a researcher may call must have a
 * walker below (a new route without one fails the test), which asks it for everything it serves,
 * and for each sequestered study by its UIDs. No answer may hold a sequestered study, series or
 * instance UID or case id (nor an object a presigned URL in it points to), and the counts must be
 * the open studies' counts. The release's Parquet export is read too. Every walker also shows it
 * reached open data, so a walk that finds nothing because it reached nothing fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { HilumApi } from '../../cli/lib/api-client';
import { ROUTE_POLICIES, type RoutePolicy } from '../../layers/access/matrix';
import type { SequestrationLedger } from '../../layers/catalog/sequestration';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { createProject, submitFiles } from '../support/projects';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(300_000);

const ROOT = '1.2.826.0.1.3680043.8.498.2020';
const PROJECT = 'split-s';

interface Answer {
  readonly route: string;
  readonly status: number;
  readonly text: string;
}

interface StudyUids {
  readonly study: string;
  readonly series: string;
  readonly instance: string;
}

describe('no researcher route reaches a sequestered case', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let s3: S3Client;
  let researcherToken: string;
  let researcher: HilumApi;
  let ledger: SequestrationLedger;
  let sequestered: StudyUids[];
  let open: StudyUids[];
  let markers: string[];
  let openStudyCount: number;
  let curator: HilumApi;
  let site: HilumApi;
  let siteToken: string;
  const answers: Answer[] = [];

  const object = async (key: string): Promise<Uint8Array> =>
    (await (await s3.send(new GetObjectCommand({ Bucket: commons.buckets.released, Key: key }))).Body!.transformToByteArray())!;

  /** Publishes one submission of one-instance studies (and its cases.csv and demographics sheet when given). */
  async function publish(studies: readonly { patient: string; n: number }[], casesCsv?: string): Promise<void> {
    const files = studies.map(({ patient, n }) => ({
      name: `${patient}-${n}.dcm`,
      bytes: makeDicom({
        modality: n % 2 ? 'CT' : 'DX',
        rows: 16,
        columns: 16,
        studyInstanceUid: `${ROOT}.${n}`,
        seriesInstanceUid: `${ROOT}.${n}.1`,
        sopInstanceUid: `${ROOT}.${n}.1.1`,
        instanceNumber: 1,
        patient: { id: patient },
      }),
    }));
    const submissionId = await submitFiles(site, PROJECT, 'site-a', Object.fromEntries(files.map((f) => [f.name, f.bytes])), async (id) => {
      for (const path of casesCsv ? ['cases', 'clinical/demographics', 'clinical/smoking'] : []) {
        // The project's own node (its dictionary extension): the export's long-format table must hold its open cases only.
        const smoking = ['case_id,pack_years', ...[...new Set(studies.map((s) => s.patient))].map((p, i) => `${p},${i + 1}`)].join('\n');
        const put = await fetch(`${commons.apiUrl}/submissions/${id}/${path}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${siteToken}`, 'content-type': 'text/csv' },
          body: path === 'clinical/smoking' ? smoking : casesCsv,
        });
        expect(put.status).toBe(200);
      }
    });
    await commons.idle();
    expect(await site.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: files.length });
  }

  /** A release's ledger, read from the released bucket as a curator's tool would. */
  async function ledgerOfRelease(notes: string): Promise<SequestrationLedger> {
    const release = await curator.request<{ sequestrationKey: string }>('POST', '/releases', { notes });
    return JSON.parse(gunzipSync(await object(release.sequestrationKey)).toString('utf8')) as SequestrationLedger;
  }

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-seq-leak-'));
    commons = await startLocalCommons({
      dataDir,
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    s3 = new S3Client({ endpoint: commons.s3Endpoint, region: 'us-east-1', credentials: commons.credentials, forcePathStyle: true });
    const curatorToken = await commons.issueToken(['curator'], 'curator-q');
    curator = new HilumApi(commons.apiUrl, curatorToken);
    researcherToken = await commons.issueToken(['researcher'], 'researcher-q');
    researcher = new HilumApi(commons.apiUrl, researcherToken);
    siteToken = await commons.issueToken(['site-uploader:site-a'], 'uploader-q');
    site = new HilumApi(commons.apiUrl, siteToken);

    await createProject(commons.apiUrl, curatorToken, PROJECT, ['site-a'], 'open');
    await curator.request('POST', '/projects', {
      projectId: PROJECT,
      name: PROJECT,
      availability: 'open',
      settings: { sequestrationShare: 0.5 },
      clinicalDictionary: {
        nodes: [
          {
            node: 'smoking',
            version: '0.1.0',
            description: 'Tobacco use.',
            key: [],
            properties: [
              { name: 'case_id', type: 'string', required: true, description: 'The case.' },
              { name: 'pack_years', type: 'number', minimum: 0, description: 'Pack-years.' },
            ],
          },
        ],
      },
    });

    // Eight cases, one with two studies (a case is assigned whole), one instance per study.
    const patients = Array.from({ length: 8 }, (_, i) => `MRN-Q${i + 1}`);
    const studies = [...patients.map((p, i) => ({ patient: p, n: i + 1 })), { patient: 'MRN-Q1', n: 9 }];
    const casesCsv = ['case_id,sex,age_at_index,race', ...patients.map((p, i) => `${p},${i % 2 ? 'Female' : 'Male'},${40 + i},White`)].join(
      '\n',
    );
    await publish(studies, casesCsv);

    ledger = await ledgerOfRelease('sequestration leak test');
    const cases = ledger.projects.find((p) => p.project === PROJECT)!.cases;
    // The remapped UIDs of each study (de-identification changed them), read as a curator.
    const uidsOf = async (study: string): Promise<StudyUids> => {
      const [instance] = await curator.request<Record<string, { Value: string[] }>[]>('GET', `/dicomweb/studies/${study}/instances`);
      return { study, series: instance!['0020000E']!.Value[0]!, instance: instance!['00080018']!.Value[0]! };
    };
    sequestered = [];
    open = [];
    for (const c of cases) for (const uid of c.studyUids) (c.set === 'sequestered' ? sequestered : open).push(await uidsOf(uid));
    openStudyCount = open.length;
    markers = [
      ...sequestered.flatMap((s) => [s.study, s.series, s.instance]),
      ...cases.filter((c) => c.set === 'sequestered').map((c) => c.caseId),
    ];
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    await commons?.stop();
    s3?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A researcher's request; the answer is kept for the marker search. */
  async function ask(route: string, method: string, path: string, body?: unknown, accept?: string): Promise<Answer> {
    const response = await fetch(`${commons.apiUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${researcherToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(accept ? { accept } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const location = response.headers.get('location');
    const answer = {
      route,
      status: response.status,
      text: Buffer.from(bytes).toString('latin1') + (location ? `\nlocation: ${location}` : ''),
    };
    answers.push(answer);
    return answer;
  }

  /** Follows every presigned URL of an answer (files, archives, DRS access, FHIR output) and keeps what it points to. */
  async function follow(route: string, answer: Answer): Promise<void> {
    for (const url of answer.text.match(/https?:\/\/127\.0\.0\.1:\d+\/[^"\s\\]+X-Amz-Signature=[0-9a-f]+/g) ?? []) {
      const response = await fetch(url);
      answers.push({
        route: `${route} -> object`,
        status: response.status,
        text: Buffer.from(await response.arrayBuffer()).toString('latin1'),
      });
    }
  }

  const json = <T>(a: Answer) => JSON.parse(a.text) as T;
  const studyPath = (u: StudyUids) => `/dicomweb/studies/${u.study}`;
  const seriesPath = (u: StudyUids) => `${studyPath(u)}/series/${u.series}`;
  const instancePath = (u: StudyUids) => `${seriesPath(u)}/instances/${u.instance}`;

  /** A route addressed by one study's UIDs: 404 for every sequestered study, not 404 for an open one. */
  const perStudy =
    (path: (u: StudyUids) => string, accept?: string) =>
    async (route: string, method: string): Promise<void> => {
      for (const u of sequestered)
        expect({ route, status: (await ask(route, method, path(u), undefined, accept)).status }).toEqual({ route, status: 404 });
      const reached = await ask(route, method, path(open[0]!), undefined, accept);
      expect({ route, reached: reached.status < 400 }).toEqual({ route, reached: true });
      await follow(route, reached);
    };

  /** A listing: it answers 200 and, unless told how to check it, lists the first open study. */
  const listing =
    (path: string, check?: (a: Answer) => void) =>
    async (route: string, method: string): Promise<void> => {
      const answer = await ask(route, method, path);
      expect({ route, status: answer.status }).toEqual({ route, status: 200 });
      if (check) check(answer);
      else expect({ route, shows: answer.text.includes(open[0]!.study) }).toEqual({ route, shows: true });
    };

  let cohortId: string;
  let fhirJob: string | undefined;

  /** One walker per route a researcher may call; keyed by route id. */
  const WALKERS: Readonly<Record<string, (route: string, method: string) => Promise<void>>> = {
    listProjects: async (route, method) => {
      expect((await ask(route, method, '/projects')).status).toBe(200);
    },
    listReleases: async (route, method) => {
      const answer = await ask(route, method, '/releases');
      expect(json<{ releases: { studyCount: number; instanceCount: number }[] }>(answer).releases[0]).toMatchObject({
        studyCount: openStudyCount,
        instanceCount: openStudyCount,
      });
    },
    releaseRepresentativeness: async (route, method) => {
      const answer = await ask(route, method, '/releases/1/representativeness');
      const body = json<{ projects: { project: string; cases: number; balance?: unknown }[] }>(answer);
      const openCases = ledger.projects[0]!.cases.filter((c) => c.set === 'open').length;
      expect(body.projects).toEqual([expect.objectContaining({ project: PROJECT, cases: openCases })]);
      expect(body.projects[0]!.balance).toBeUndefined();
    },
    listStudies: async (route, method) => {
      const answer = await ask(route, method, '/studies?limit=500');
      expect(json<{ studies: unknown[] }>(answer).studies).toHaveLength(openStudyCount);
    },
    studyFiles: perStudy((u) => `/studies/${u.study}/files`),
    studyArchive: perStudy((u) => `/studies/${u.study}/archive`),
    searchPost: async (route) => {
      const answer = await ask(route, 'POST', '/search', { limit: 500 });
      const body = json<{ total: number; facets: { project: { value: string; count: number }[] } }>(answer);
      expect(body.total).toBe(openStudyCount);
      expect(body.facets.project).toEqual([{ value: PROJECT, count: openStudyCount }]);
      for (const u of sequestered)
        expect((await ask(route, 'POST', '/search', { limit: 500, descriptionPrefix: '' })).text).not.toContain(u.study);
    },
    searchGet: async (route) => {
      const answer = await ask(route, 'GET', '/search?limit=500');
      expect(json<{ total: number }>(answer).total).toBe(openStudyCount);
    },
    createCohort: async (route) => {
      const answer = await ask(route, 'POST', '/cohorts', { name: 'everything', filters: {} });
      expect(answer.status).toBe(201);
      const cohort = json<{ cohortId: string; studyCount: number }>(answer);
      expect(cohort.studyCount).toBe(openStudyCount);
      cohortId = cohort.cohortId;
    },
    getCohort: async (route) => {
      const answer = await ask(route, 'GET', `/cohorts/${cohortId}?limit=500`);
      expect(json<{ total: number; studies: unknown[] }>(answer)).toMatchObject({ total: openStudyCount });
      expect(json<{ studies: unknown[] }>(answer).studies).toHaveLength(openStudyCount);
    },
    cohortManifest: async (route) => {
      const answer = await ask(route, 'GET', `/cohorts/${cohortId}/manifest`);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain(open[0]!.instance);
    },
    cohortClinical: async (route) => {
      const answer = await ask(route, 'GET', `/cohorts/${cohortId}/clinical/demographics`, undefined, 'text/csv');
      expect(answer.status).toBe(200);
      const openCase = ledger.projects[0]!.cases.find((c) => c.set === 'open')!.caseId;
      expect(answer.text).toContain(openCase);
    },
    fhirGroupExport: async (route) => {
      const answer = await ask(route, 'GET', `/fhir/Group/${cohortId}/$export`, undefined, 'application/fhir+json');
      expect(answer.status).toBeLessThan(500);
      fhirJob = /export-jobs\/([0-9a-f-]+)/.exec(answer.text)?.[1];
      await commons.idle();
    },
    fhirExportStatus: async (route) => {
      if (!fhirJob) return; // the kick-off walker has asserted what it got
      const answer = await ask(route, 'GET', `/fhir/export-jobs/${fhirJob}`);
      await follow(route, answer);
    },
    fhirExportDelete: async (route) => {
      if (fhirJob) await ask(route, 'DELETE', `/fhir/export-jobs/${fhirJob}`);
    },
    createAccessRequest: async (route) => {
      const answer = await ask(route, 'POST', '/access-requests', {
        cohortId,
        purpose: 'Ask for everything the cohort holds',
        duaVersion: '2026-1',
        duaAccepted: true,
      });
      expect(answer.status).toBeLessThan(500);
    },
    listAccessRequests: listing('/access-requests', (a) => expect(a.status).toBe(200)),
    listGrants: listing('/grants', (a) => expect(a.status).toBe(200)),
    drsServiceInfo: listing('/ga4gh/drs/v1/service-info', (a) => expect(a.status).toBe(200)),
    drsObject: perStudy((u) => `/ga4gh/drs/v1/objects/hilum:${u.instance}`),
    drsAccess: perStudy((u) => `/ga4gh/drs/v1/objects/hilum:${u.instance}/access/released`),
    qidoStudies: listing('/dicomweb/studies?limit=500'),
    qidoAllSeries: listing('/dicomweb/series?limit=500'),
    qidoAllInstances: listing('/dicomweb/instances?limit=500'),
    qidoSeries: perStudy((u) => `${studyPath(u)}/series`),
    qidoInstances: perStudy((u) => `${seriesPath(u)}/instances`),
    qidoStudyInstances: perStudy((u) => `${studyPath(u)}/instances`),
    wadoStudy: perStudy(studyPath, 'multipart/related; type="application/dicom"'),
    wadoSeries: perStudy(seriesPath, 'multipart/related; type="application/dicom"'),
    wadoInstance: perStudy(instancePath, 'multipart/related; type="application/dicom"'),
    wadoFrames: perStudy((u) => `${instancePath(u)}/frames/1`, 'multipart/related; type="application/octet-stream"'),
    wadoBulkData: perStudy((u) => `${instancePath(u)}/bulkdata/7FE00010`, 'multipart/related; type="application/octet-stream"'),
    wadoStudyMetadata: perStudy((u) => `${studyPath(u)}/metadata`),
    wadoSeriesMetadata: perStudy((u) => `${seriesPath(u)}/metadata`),
    wadoInstanceMetadata: perStudy((u) => `${instancePath(u)}/metadata`),
    renderedStudy: perStudy((u) => `${studyPath(u)}/rendered`, 'image/png'),
    renderedSeries: perStudy((u) => `${seriesPath(u)}/rendered`, 'image/png'),
    renderedInstance: perStudy((u) => `${instancePath(u)}/rendered`, 'image/png'),
    renderedFrames: perStudy((u) => `${instancePath(u)}/frames/1/rendered`, 'image/png'),
    thumbnailStudy: perStudy((u) => `${studyPath(u)}/thumbnail`, 'image/png'),
    thumbnailSeries: perStudy((u) => `${seriesPath(u)}/thumbnail`, 'image/png'),
    thumbnailInstance: perStudy((u) => `${instancePath(u)}/thumbnail`, 'image/png'),
    thumbnailFrames: perStudy((u) => `${instancePath(u)}/frames/1/thumbnail`, 'image/png'),
  };

  /** A path with every {parameter} filled: the gate answers before any handler reads it. */
  const placeholderPath = (policy: RoutePolicy) =>
    policy.path.replace(/\{[^}]+\}/g, (p) => (p === '{study}' ? sequestered[0]!.study : 'x1'));

  it('splits the project: both sets hold cases, and a case is assigned whole', () => {
    const cases = ledger.projects.find((p) => p.project === PROJECT)!.cases;
    expect(cases.filter((c) => c.set === 'sequestered')).toHaveLength(4);
    expect(cases.find((c) => c.studyUids.length === 2)).toBeDefined();
    expect(sequestered.length + open.length).toBe(9);
  });

  it('walks every route of the catalogue as a researcher and finds no sequestered case, study, count or byte', async () => {
    // Creating before reading: the cohort and export walkers run in catalogue order, as the catalogue lists them.
    const unknown: string[] = [];
    for (const policy of ROUTE_POLICIES) {
      if (!('researcher' in policy.roles)) {
        const answer = await ask(policy.id, policy.method, placeholderPath(policy), policy.method === 'GET' ? undefined : {});
        expect({ route: policy.id, status: answer.status }).toEqual({ route: policy.id, status: 403 });
        continue;
      }
      const walk = WALKERS[policy.id];
      if (!walk) {
        unknown.push(policy.id);
        continue;
      }
      await walk(policy.id, policy.method);
    }
    expect({ routesWithoutAWalker: unknown }).toEqual({ routesWithoutAWalker: [] });
    const leaks = answers.flatMap((a) => markers.filter((m) => a.text.includes(m)).map((m) => `${a.route} (${a.status}) holds ${m}`));
    expect(leaks).toEqual([]);
  });

  it("leaves the sequestered cases out of the release's Parquet export", async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: commons.buckets.released, Prefix: 'analytics/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.parquet'));
    expect(keys.length).toBeGreaterThan(3);
    let openSeen = false;
    for (const key of keys) {
      const bytes = await object(key);
      const rows = await parquetReadObjects({
        file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      });
      const text = JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
      expect({ key, leaks: markers.filter((m) => text.includes(m)) }).toEqual({ key, leaks: [] });
      openSeen ||= text.includes(open[0]!.study);
      // The project's smoking node: a row for each open case, none for a sequestered one.
      if (key.startsWith('analytics/clinical_extension/'))
        expect(rows.map((r) => r.case_id).sort()).toEqual(
          ledger.projects[0]!.cases.filter((c) => c.set === 'open')
            .map((c) => c.caseId)
            .sort(),
        );
    }
    expect(openSeen).toBe(true);
    expect(keys).toContain('analytics/clinical_extension/release=1/part-0.parquet');
  });

  it('keeps every assignment at the next release and draws only the new cases; a curator reads the balance', async () => {
    const before = ledger.projects[0]!.cases;
    const returning = before.find((c) => c.studyUids.length === 2)!;
    // Two new patients, and the two-study patient back with a third study.
    await publish([
      { patient: 'MRN-Q9', n: 10 },
      { patient: 'MRN-Q10', n: 11 },
      { patient: 'MRN-Q1', n: 12 },
    ]);
    const searchTotal = async () => (await researcher.request<{ total: number }>('POST', '/search', { limit: 0 })).total;
    // Published, not yet assigned: withheld until the next release.
    expect(await searchTotal()).toBe(openStudyCount);

    const next = (await ledgerOfRelease('second release')).projects[0]!.cases;
    for (const c of before) expect(next.find((n) => n.caseId === c.caseId)).toMatchObject({ set: c.set, release: 1 });
    const drawn = next.filter((c) => c.release === 2);
    expect(drawn).toHaveLength(2);
    expect(drawn.filter((c) => c.set === 'sequestered')).toHaveLength(1);
    const grown = next.find((c) => c.caseId === returning.caseId)!;
    expect(grown.studyUids).toHaveLength(3);

    const openStudies = next.filter((c) => c.set === 'open').flatMap((c) => c.studyUids);
    expect(await searchTotal()).toBe(openStudies.length);
    const releases = await researcher.request<{ releases: { releaseNumber: number; studyCount: number }[] }>('GET', '/releases');
    expect(releases.releases.find((r) => r.releaseNumber === 2)!.studyCount).toBe(openStudies.length);

    const measured = await curator.request<{ projects: { cases: number; balance?: { cases: { open: number; sequestered: number } } }[] }>(
      'GET',
      '/releases/2/representativeness',
    );
    expect(measured.projects[0]).toMatchObject({
      cases: 10,
      balance: { cases: { open: 5, sequestered: 5 } },
    });
  });
});
