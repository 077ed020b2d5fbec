/**
 * Issue 11, S5 and S7, through the local commons (real handlers, the Secrets Manager
 * emulator, real SDK clients):
 * - every project gets its own de-identification key when a curator creates it, and
 *   saving the project again never replaces it;
 * - a site gets the key of a project only when the project lists it as a contributor,
 *   so a site of project A cannot compute project B's pseudonyms or UIDs;
 * - a site a project does not list cannot open submissions to it, sequestered or not;
 * - a submission is keyed with the key version current when it opened, even after a
 *   rotation, and new submissions take the new version.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HilumApi } from '../../cli/lib/api-client';
import { putFile } from '../../cli/lib/one-pass-upload';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { ProjectRepository } from '../../layers/adapters/aws/dynamodb/project-repository';
import { readDicomFile, type DataSet } from '../../layers/dicom/dcmjs';
import { keyFingerprint } from '../../layers/dicom/deidentify/key-fingerprint';
import { localSecretsClient, projectKeyId } from '../support/local-clients';
import { makeDicom } from '../support/synthetic-dicom';

jest.setTimeout(180_000);

const CLI = join(__dirname, '../../cli/bin/hilum.js');
const OPEN = 'keys-open';
const SEQUESTERED = 'keys-sequestered';

interface AuditEvent {
  action: string;
  outcome?: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

describe('per-project de-identification keys and contributing sites', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let secrets: SecretsManagerClient;
  let curator: HilumApi;
  let admin: HilumApi;
  let researcher: HilumApi;
  let siteA: HilumApi;
  let siteB: HilumApi;
  let siteAToken: string;
  let siteBToken: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-keys-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    secrets = localSecretsClient(commons);
    curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-1'));
    admin = new HilumApi(commons.apiUrl, await commons.issueToken(['admin'], 'admin-1'));
    researcher = new HilumApi(commons.apiUrl, await commons.issueToken(['researcher'], 'researcher-1'));
    siteAToken = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
    siteBToken = await commons.issueToken(['site-uploader:site-b'], 'uploader-b');
    siteA = new HilumApi(commons.apiUrl, siteAToken);
    siteB = new HilumApi(commons.apiUrl, siteBToken);
    await curator.request('POST', '/projects', { projectId: OPEN, name: 'open', availability: 'open', sites: ['site-a'] });
    await curator.request('POST', '/projects', {
      projectId: SEQUESTERED,
      name: 'sequestered',
      availability: 'sequestered',
      sites: ['site-a'],
    });
  });

  afterAll(async () => {
    secrets?.destroy();
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const storedKey = (project: string) => secrets.send(new GetSecretValueCommand({ SecretId: projectKeyId(commons, project) }));

  async function auditEvents(query: Record<string, string>): Promise<AuditEvent[]> {
    const { events } = await admin.request<{ events: AuditEvent[] }>('GET', `/audit?${new URLSearchParams({ ...query, limit: '500' })}`);
    return events;
  }

  it('creates a key per project when the project is created, under the deployment prefix, and never replaces it', async () => {
    const open = await storedKey(OPEN);
    const sequestered = await storedKey(SEQUESTERED);
    expect(open.Name).toBe(`${commons.environment.DEID_KEY_PREFIX}/projects/${OPEN}/deid-key`);
    expect(open.SecretString).toMatch(/^[0-9a-f]{64}$/);
    expect(sequestered.SecretString).toMatch(/^[0-9a-f]{64}$/);
    expect(sequestered.SecretString).not.toBe(open.SecretString);

    // Saving the project again (a rename, no site list) keeps its key and its sites.
    await curator.request('POST', '/projects', { projectId: OPEN, name: 'open, renamed', availability: 'open' });
    const again = await storedKey(OPEN);
    expect({ version: again.VersionId, same: again.SecretString === open.SecretString }).toEqual({ version: open.VersionId, same: true });
    const { projects } = await curator.request<{ projects: { projectId: string; sites?: string[] }[] }>('GET', '/projects');
    expect(projects.find((p) => p.projectId === OPEN)).toMatchObject({ name: 'open, renamed', sites: ['site-a'] });
    expect(await auditEvents({ action: 'deid-key.create', resource: `project:${OPEN}` })).toHaveLength(1);
  });

  it('refuses a submission from a site the project does not list, open or sequestered, with the 404 of an unknown project, audited', async () => {
    for (const project of [OPEN, SEQUESTERED]) {
      await expect(siteB.createSubmission(project, 'site-b')).rejects.toMatchObject({
        status: 404,
        body: {
          message: `no such project for site site-b: '${project}' does not exist or does not list the site as a contributor; a curator creates projects (POST /projects) and lists their sites (PUT /projects/{project}/sites)`,
        },
      });
      const refused = await auditEvents({ action: 'submission.refused', resource: `project:${project}` });
      expect(refused).toEqual([
        expect.objectContaining({ targetType: 'project', targetId: project, details: { site: 'site-b', basis: 'site-not-a-contributor' } }),
      ]);
      expect(await auditEvents({ action: 'access.denied', resource: `project:${project}` })).toEqual([
        expect.objectContaining({
          outcome: 'denied',
          details: { route: 'POST /submissions', status: 404, basis: 'site-not-a-contributor' },
        }),
      ]);
    }
    // Naming a listed site it does not upload for gets site-b nowhere either.
    await expect(siteB.createSubmission(OPEN, 'site-a')).rejects.toMatchObject({
      status: 403,
      body: { message: 'not a site uploader for site site-a' },
    });
    // The listed site gets in.
    await expect(siteA.createSubmission(OPEN, 'site-a')).resolves.toMatchObject({ status: 'open' });
  });

  it('lets a curator or admin, and nobody else, change who contributes', async () => {
    const project = 'keys-sites';
    await curator.request('POST', '/projects', { projectId: project, name: 'sites', availability: 'sequestered', sites: ['site-a'] });
    await expect(siteB.createSubmission(project, 'site-b')).rejects.toMatchObject({ status: 404 });
    await expect(researcher.request('PUT', `/projects/${project}/sites`, { sites: ['site-b'] })).rejects.toMatchObject({ status: 403 });
    await expect(siteB.request('PUT', `/projects/${project}/sites`, { sites: ['site-b'] })).rejects.toMatchObject({ status: 403 });
    await expect(curator.request('PUT', '/projects/no-such-project/sites', { sites: ['site-b'] })).rejects.toMatchObject({ status: 404 });

    await expect(admin.request('PUT', `/projects/${project}/sites`, { sites: ['site-b', 'site-a', 'site-b'] })).resolves.toEqual({
      projectId: project,
      sites: ['site-a', 'site-b'],
    });
    await expect(siteB.createSubmission(project, 'site-b')).resolves.toMatchObject({ status: 'open' });
    expect(await auditEvents({ action: 'project.sites', resource: `project:${project}` })).toEqual(
      expect.arrayContaining([expect.objectContaining({ details: { sites: ['site-a', 'site-b'] } })]),
    );

    await curator.request('PUT', `/projects/${project}/sites`, { sites: ['site-a'] });
    await expect(siteB.createSubmission(project, 'site-b')).rejects.toMatchObject({ status: 404 });
  });

  it('gives a site the key of the projects that list it and of no other, audited and never logged in the audit', async () => {
    const open = await storedKey(OPEN);
    const answer = await siteA.request<{ project: string; version: string; fingerprint: string; key: string }>(
      'GET',
      `/projects/${OPEN}/site-key`,
    );
    expect(answer).toEqual({
      project: OPEN,
      version: open.VersionId,
      key: open.SecretString,
      fingerprint: keyFingerprint({ secret: open.SecretString!, project: OPEN }),
    });

    // site-b contributes to neither project: it gets neither key, the sequestered one included.
    for (const project of [OPEN, SEQUESTERED]) {
      await expect(siteB.request('GET', `/projects/${project}/site-key`)).rejects.toMatchObject({
        status: 404,
        body: {
          message: expect.stringContaining(`no such project for your sites (site-b): '${project}' does not exist or lists none of them`),
        },
      });
    }
    await expect(siteA.request('GET', '/projects/no-such-project/site-key')).rejects.toMatchObject({ status: 404 });
    for (const role of [curator, admin, researcher])
      await expect(role.request('GET', `/projects/${OPEN}/site-key`)).rejects.toMatchObject({ status: 403 });

    const issued = await auditEvents({ action: 'deid-key.issue' });
    expect(issued).toEqual([
      expect.objectContaining({ targetType: 'project', targetId: OPEN, details: { sites: ['site-a'], version: open.VersionId } }),
    ]);
    const everything = await auditEvents({});
    for (const key of [open.SecretString!, (await storedKey(SEQUESTERED)).SecretString!])
      expect(JSON.stringify(everything)).not.toContain(key);
  });

  it('keys a submission with the version current when it opened, across a rotation; new submissions take the new one', async () => {
    const project = 'keys-rotation';
    await curator.request('POST', '/projects', { projectId: project, name: 'rotation', availability: 'open', sites: ['site-a'] });
    const before = await storedKey(project);
    const opened = await siteA.createSubmission(project, 'site-a');

    // The operator rotates the key (docs/deidentification.md): a new version becomes AWSCURRENT.
    const rotated = await secrets.send(
      new PutSecretValueCommand({ SecretId: projectKeyId(commons, project), SecretString: 'b'.repeat(64) }),
    );
    expect(rotated.VersionId).not.toBe(before.VersionId);
    const after = await siteA.createSubmission(project, 'site-a');

    await send(
      opened.submissionId,
      join(dataDir, 'before.dcm'),
      makeDicom({ studyInstanceUid: '1.2.826.0.1.3680043.10.1137.1', seriesInstanceUid: '1.2.826.0.1.3680043.10.1137.1.1' }),
    );
    await send(
      after.submissionId,
      join(dataDir, 'after.dcm'),
      makeDicom({ studyInstanceUid: '1.2.826.0.1.3680043.10.1137.2', seriesInstanceUid: '1.2.826.0.1.3680043.10.1137.2.1' }),
    );
    await commons.idle();

    const fingerprints = await releasedFingerprints(project);
    expect(fingerprints.sort()).toEqual(
      [keyFingerprint({ secret: before.SecretString!, project }), keyFingerprint({ secret: 'b'.repeat(64), project })].sort(),
    );
    // The site key route follows the rotation.
    await expect(siteA.request('GET', `/projects/${project}/site-key`)).resolves.toMatchObject({
      version: rotated.VersionId,
      key: 'b'.repeat(64),
    });
  });

  it('de-identifies every project with its own key: the same file in two projects carries two fingerprints', async () => {
    const [first, second] = ['keys-per-project-1', 'keys-per-project-2'];
    for (const project of [first!, second!]) {
      await curator.request('POST', '/projects', { projectId: project, name: project, availability: 'open', sites: ['site-a'] });
      const { submissionId } = await siteA.createSubmission(project, 'site-a');
      await send(
        submissionId,
        join(dataDir, `${project}.dcm`),
        makeDicom({ studyInstanceUid: '1.2.826.0.1.3680043.10.1137.3', seriesInstanceUid: '1.2.826.0.1.3680043.10.1137.3.1' }),
      );
    }
    await commons.idle();
    for (const project of [first!, second!]) {
      expect(await releasedFingerprints(project)).toEqual([keyFingerprint({ secret: (await storedKey(project)).SecretString!, project })]);
    }
  });

  it('refuses submissions to a project saved before keys were per project (409) until a curator saves it again, which creates its key', async () => {
    const project = 'keys-legacy';
    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: commons.dynamodbEndpoint, region: 'us-east-1', credentials: commons.credentials }),
    );
    try {
      const now = new Date().toISOString();
      // As a project record written by an earlier version: no key was made for it.
      await new ProjectRepository(documents, commons.tableName).putProject({
        projectId: project,
        name: 'legacy',
        availability: 'open',
        sites: ['site-a'],
        createdBy: 'curator',
        createdAt: now,
        updatedAt: now,
      });
    } finally {
      documents.destroy();
    }
    await expect(siteA.createSubmission(project, 'site-a')).rejects.toMatchObject({
      status: 409,
      body: {
        message: `project '${project}' has no de-identification key; a curator saves the project again (POST /projects) to create it`,
      },
    });
    await curator.request('POST', '/projects', { projectId: project, name: 'legacy', availability: 'open' });
    expect((await storedKey(project)).SecretString).toMatch(/^[0-9a-f]{64}$/);
    await expect(siteA.createSubmission(project, 'site-a')).resolves.toMatchObject({ status: 'open' });
  });

  it('hilum upload --deid-at-site fetches the project key for a contributing site, and refuses for any other', async () => {
    const folder = join(dataDir, 'at-site');
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, 'one.dcm'),
      makeDicom({ studyInstanceUid: '1.2.826.0.1.3680043.10.1137.4', seriesInstanceUid: '1.2.826.0.1.3680043.10.1137.4.1' }),
    );
    const ok = await runCli(['upload', folder, '--project', OPEN, '--site', 'site-a', '--deid-at-site', '--no-qa'], siteAToken);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain(`key from the commons (project ${OPEN}, key version ${(await storedKey(OPEN)).VersionId}`);
    expect(ok.stdout + ok.stderr).not.toContain((await storedKey(OPEN)).SecretString!);
    await commons.idle();
    const submissionId = /submission (\S+):/.exec(ok.stdout)![1]!;
    expect(await siteA.getSubmission(submissionId)).toMatchObject({ status: 'published', stagedCount: 1, quarantinedCount: 0 });

    const other = join(dataDir, 'at-site-b');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'one.dcm'), makeDicom());
    const refused = await runCli(['upload', other, '--project', SEQUESTERED, '--site', 'site-b', '--deid-at-site', '--no-qa'], siteBToken);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`no such project for your sites (site-b): '${SEQUESTERED}' does not exist or lists none of them`);
  });

  /** Announces one file in an open submission, puts it through its presigned URL and seals. */
  async function send(submissionId: string, path: string, bytes: Uint8Array): Promise<void> {
    await writeFile(path, bytes);
    const { uploads } = await siteA.requestUploads(submissionId, [{ name: 'file.dcm', size: bytes.byteLength }]);
    await putFile(siteA, path, uploads[0]!);
    await siteA.completeSubmission(submissionId);
  }

  /** The key fingerprints (second value of De-identification Method) of a project's released files. */
  async function releasedFingerprints(project: string): Promise<string[]> {
    const { studies } = await curator.listStudies({ project });
    const found: string[] = [];
    for (const study of studies) {
      for (const file of (await curator.studyFiles(study.studyUid)).files) {
        const bytes = new Uint8Array(await (await fetch(file.url)).arrayBuffer());
        const method = (readDicomFile(bytes).dict as DataSet)['00120063']?.Value as string[] | undefined;
        found.push(...(method ?? []).filter((v) => v.startsWith('hilum key ')).map((v) => v.slice('hilum key '.length)));
      }
    }
    return found;
  }

  function runCli(args: string[], token: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [CLI, ...args], {
      // The CLI's state (upload state, de-identified copies) in the test's folder, not the user's ~/.local/state.
      env: {
        ...process.env,
        HILUM_API_URL: commons.apiUrl,
        HILUM_TOKEN: token,
        HILUM_DEID_SECRET: '',
        XDG_STATE_HOME: join(dataDir, 'state'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }
});
