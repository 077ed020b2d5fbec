/**
 * GA4GH DRS 1.x on the local commons: service-info, objects and access URLs,
 * every response (errors included) validated against the DRS 1.2.0 schemas
 * (test/fixtures/drs) with ajv; `curl` following an access URL gets the object;
 * ids are stable across releases; the same authorization as every data route.
 * Also the study archive: a zip built in S3, presigned, cached per study version.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { makeSeries } from '../support/synthetic-dicom';

jest.setTimeout(240_000);
const run = promisify(execFile);

const SCHEMA = JSON.parse(
  require('node:fs').readFileSync(join(__dirname, '../fixtures/drs/drs-1.2.0-openapi-components.json'), 'utf8'),
) as object;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(SCHEMA, 'drs');
function expectValid(schema: 'DrsObject' | 'AccessURL' | 'Error' | 'ServiceInfo', value: unknown): void {
  const validate = ajv.getSchema(`drs#/components/schemas/${schema}`)!;
  const ok = validate(value);
  expect({ schema, errors: ok ? [] : validate.errors }).toEqual({ schema, errors: [] });
}

interface Manifest {
  objects: { objectId: string; studyUid: string; seriesUid: string; sopUid: string; size: number; sha256: string }[];
}

describe('GA4GH DRS and study archives', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let researcherToken: string;
  let researcher: HilumApi;
  let curator: HilumApi;
  let site: HilumApi;
  let openObjects: Manifest['objects'];
  let restrictedObject: string;

  const drs = async (path: string, token?: string) => {
    const response = await fetch(`${commons.apiUrl}/ga4gh/drs/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as unknown };
  };

  let published = 0;
  async function publish(project: string, count: number): Promise<void> {
    const { submissionId } = await site.createSubmission(project, 'site-a');
    published += 1;
    const study = `1.2.826.0.1.3680043.8.498.7777.${published}`;
    const files = makeSeries(count, {
      modality: 'CT',
      rows: 32,
      columns: 32,
      studyInstanceUid: study,
      seriesInstanceUid: `${study}.1`,
    }).map((bytes, i) => ({ name: `f${i}.dcm`, bytes }));
    const { uploads } = await site.requestUploads(
      submissionId,
      files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
    );
    for (const u of uploads) await fetch(u.url!, { method: 'PUT', body: files.find((f) => f.name === u.name)!.bytes });
    await site.completeSubmission(submissionId);
    await commons.idle();
  }

  async function manifestOf(release: number, project: string): Promise<Manifest> {
    const { cohortId } = await curator.request<{ cohortId: string }>('POST', '/cohorts', {
      name: `r${release}`,
      release,
      filters: { facets: { project: [project] } },
    });
    return curator.request<Manifest>('GET', `/cohorts/${cohortId}/manifest`);
  }

  beforeAll(async () => {
    process.env.SEARCH_SNAPSHOT_TTL_MS = '0';
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-drs-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    researcherToken = await commons.issueToken(['researcher'], 'researcher-d');
    researcher = new HilumApi(commons.apiUrl, researcherToken);
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-d'));
    site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-d'));
    await curator.request('POST', '/projects', { projectId: 'drs-open', name: 'open', availability: 'open', sites: ['site-a'] });
    await curator.request('POST', '/projects', {
      projectId: 'drs-restricted',
      name: 'restricted',
      availability: 'restricted',
      sites: ['site-a'],
    });
    await publish('drs-open', 3);
    await publish('drs-restricted', 1);
    await curator.request('POST', '/releases', {});
    openObjects = (await manifestOf(1, 'drs-open')).objects;
    restrictedObject = (await manifestOf(1, 'drs-restricted')).objects[0]!.objectId;
  });

  afterAll(async () => {
    delete process.env.SEARCH_SNAPSHOT_TTL_MS;
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers service-info as a GA4GH DRS service', async () => {
    const info = await drs('/service-info', researcherToken);
    expect(info.status).toBe(200);
    expectValid('ServiceInfo', info.body);
    expect(info.body).toMatchObject({ type: { group: 'org.ga4gh', artifact: 'drs' } });
  });

  it('describes an object (size, created time, sha-256, name, https access) and gives a presigned URL that curl follows', async () => {
    const o = openObjects[0]!;
    const object = await drs(`/objects/${o.objectId}`, researcherToken);
    expect(object.status).toBe(200);
    expectValid('DrsObject', object.body);
    const host = new URL(commons.apiUrl).host;
    expect(object.body).toMatchObject({
      id: o.objectId,
      self_uri: `drs://${host}/${o.objectId}`,
      size: o.size,
      name: `${o.sopUid}.dcm`,
      checksums: [{ type: 'sha-256', checksum: o.sha256 }],
      access_methods: [{ type: 'https', access_id: 'released' }],
    });
    // A percent-encoded id is the same object.
    expect((await drs(`/objects/${encodeURIComponent(o.objectId)}`, researcherToken)).body).toEqual(object.body);

    const access = await drs(`/objects/${o.objectId}/access/released`, researcherToken);
    expect(access.status).toBe(200);
    expectValid('AccessURL', access.body);
    const url = (access.body as { url: string }).url;
    const file = join(dataDir, 'curl.dcm');
    await run('curl', ['-sS', '-f', '-o', file, url]);
    expect(
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    ).toBe(o.sha256);
    // The URL is scoped to its object: another key with the same signature is not it.
    expect(url).toContain(encodeURIComponent(o.sopUid).replace(/%2E/g, '.'));
  });

  it('answers errors in the DRS shape: 401 without a token, 403 for a role without data access, 404 for unknown, foreign and restricted objects', async () => {
    const o = openObjects[0]!.objectId;
    const cases = [
      { res: await drs(`/objects/${o}`), status: 401 },
      { res: await drs(`/objects/${o}/access/released`, 'not-a-token'), status: 401 },
      { res: await drs(`/objects/${o}`, await commons.issueToken(['site-uploader:site-a'], 'up')), status: 403 },
      { res: await drs('/objects/hilum:2.25.999', researcherToken), status: 404 },
      { res: await drs('/objects/not-hilum', researcherToken), status: 404 },
      { res: await drs(`/objects/${o}/access/s3`, researcherToken), status: 404 },
      { res: await drs(`/objects/${restrictedObject}`, researcherToken), status: 404 },
      { res: await drs(`/objects/${restrictedObject}/access/released`, researcherToken), status: 404 },
    ];
    for (const { res, status } of cases) {
      expect(res.status).toBe(status);
      expectValid('Error', res.body);
      expect(res.body).toMatchObject({ status_code: status, msg: expect.any(String) });
    }
    // A curator gets the restricted object.
    expect((await drs(`/objects/${restrictedObject}`, await commons.issueToken(['curator'], 'c2'))).status).toBe(200);
  });

  it('keeps object ids stable across releases', async () => {
    await publish('drs-open', 1);
    await curator.request('POST', '/releases', {});
    const second = await manifestOf(2, 'drs-open');
    expect(second.objects).toHaveLength(4); // the first study's three and the new one
    for (const o of openObjects) expect(second.objects).toContainEqual(o);
    for (const o of second.objects) {
      const object = await drs(`/objects/${o.objectId}`, researcherToken);
      expectValid('DrsObject', object.body);
      expect(object.body).toMatchObject({ id: `hilum:${o.sopUid}`, size: o.size });
    }
  });

  it('serves a study as a zip of stored DICOM files through a presigned URL, built once per study version', async () => {
    const studyUid = openObjects[0]!.studyUid;
    const first = await researcher.request<{ url: string; objects: number; cached: boolean; bytes: number }>(
      'GET',
      `/studies/${studyUid}/archive`,
    );
    expect(first).toMatchObject({ objects: 3, cached: false });
    const zipPath = join(dataDir, 'study.zip');
    await writeFile(zipPath, Buffer.from(await (await fetch(first.url)).arrayBuffer()));
    const { stdout } = await run('zipinfo', [zipPath]);
    const entries = stdout.split('\n').filter((l) => l.includes('.dcm'));
    expect(entries).toHaveLength(3);
    expect(entries.every((l) => / stor /.test(l))).toBe(true);
    for (const o of openObjects.filter((x) => x.studyUid === studyUid)) {
      const { stdout: bytes } = await run('unzip', ['-p', zipPath, `${o.seriesUid}/${o.sopUid}.dcm`], {
        encoding: 'buffer',
        maxBuffer: 1 << 26,
      });
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(o.sha256);
    }
    const again = await researcher.request<{ cached: boolean; bytes: number }>('GET', `/studies/${studyUid}/archive`);
    expect(again).toMatchObject({ cached: true, bytes: first.bytes });
    const series = await researcher.request<{ objects: number }>('GET', `/studies/${studyUid}/archive?series=${openObjects[0]!.seriesUid}`);
    expect(series.objects).toBe(3);
    await expect(researcher.request('GET', `/studies/${studyUid}/archive?series=2.25.404`)).rejects.toMatchObject({ status: 404 });
  });
});
