/**
 * Bad-input catalogue, API and CLI (issue 12): every hostile request found so far
 * against the local commons, each with the outcome it must keep (refused with the
 * named status and a clear, value-free message; nothing written), so a regression
 * shows by name. The hostile files are in test/unit/bad-input-catalogue.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startLocalCommons, LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { createProject } from '../support/projects';
import { localS3Client } from '../support/local-clients';
import { makeSeries } from '../support/synthetic-dicom';
import { CT_RESCALE } from '../unit/qa/support';

jest.setTimeout(240_000);

const CLI = join(__dirname, '../../cli/bin/hilum.js');
const PROJECT = 'bad-input';
/** Names a hostile folder or client could send for a file, a submission, a study or an object. */
const PATH_LIKE = ['../../etc/passwd', '%2e%2e%2f%2e%2e%2fetc', '/etc/passwd', 'C:\\Windows\\win.ini', 'a\u0000b'];

describe('bad-input catalogue: requests to the API and the CLI', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let s3: S3Client;
  const tokens: Record<'site' | 'researcher' | 'curator' | 'admin', string> = { site: '', researcher: '', curator: '', admin: '' };
  let site: HilumApi;
  let submissionId: string;

  const call = async (
    who: keyof typeof tokens,
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${commons.apiUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${tokens[who]}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const text = await response.text();
    let message: string | undefined;
    try {
      message = (JSON.parse(text) as { message?: string }).message;
    } catch {
      message = undefined;
    }
    return { status: response.status, message, text };
  };
  const keysIn = async (bucket: string): Promise<string[]> => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (listed.Contents ?? []).map((o) => o.Key!);
  };
  const runCli = (args: string[], token: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        // The CLI's state (upload state, reports) in the test's folder, not the user's ~/.local/state.
        env: { ...process.env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: token, XDG_STATE_HOME: join(dataDir, 'state') },
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
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-bad-input-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    s3 = localS3Client(commons);
    tokens.site = await commons.issueToken(['site-uploader:site-a'], 'uploader-a');
    tokens.researcher = await commons.issueToken(['researcher'], 'researcher-1');
    tokens.curator = await commons.issueToken(['curator'], 'curator-1');
    tokens.admin = await commons.issueToken(['admin'], 'admin-1');
    site = new HilumApi(commons.apiUrl, tokens.site);
    await createProject(commons.apiUrl, tokens.curator, PROJECT, ['site-a']);
    submissionId = (await site.createSubmission(PROJECT, 'site-a')).submissionId;
  });

  afterAll(async () => {
    await commons?.stop();
    s3?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('oversized and polluted request bodies', () => {
    it('an 11 MB JSON body is refused with 413 before any handler reads it', async () => {
      const body = JSON.stringify({ project: PROJECT, site: 'site-a', pad: 'x'.repeat(11 * 1024 * 1024) });
      expect(await call('site', 'POST', '/submissions', { body })).toMatchObject({ status: 413, message: 'Request Too Long' });
    });

    it("a body within the limit but over a field's bound (a 1 MB curator reason) is a 400 naming the field", async () => {
      const response = await call('curator', 'POST', `/quarantine/${crypto.randomUUID()}/release`, {
        body: JSON.stringify({ reason: 'r'.repeat(1024 * 1024) }),
      });
      expect(response.status).toBe(400);
      expect(response.message).toMatch(/reason/);
    });

    it('a body that is not JSON is a 400 "the request body is not valid JSON"', async () => {
      expect(await call('site', 'POST', '/submissions', { body: '{"project": ' })).toMatchObject({
        status: 400,
        message: 'the request body is not valid JSON',
      });
    });

    it.each(['__proto__', 'constructor', 'prototype'])(
      'a %s key in the body, the query and a header is refused or ignored (never 5xx) and pollutes nothing',
      async (name) => {
        const body = `{"project": "${PROJECT}", "site": "site-a", "${name}": {"polluted": true, "isAdmin": true}}`;
        const created = await call('site', 'POST', `/submissions?${encodeURIComponent(name)}=1`, { body, headers: { [name]: 'x' } });
        expect(created.status).toBe(400);
        expect(created.message).toMatch(/body/);
        for (const path of ['/studies', '/search', `/submissions/${submissionId}`]) {
          const response = await call(
            path === `/submissions/${submissionId}` ? 'site' : 'researcher',
            'GET',
            `${path}?${encodeURIComponent(name)}=1&${encodeURIComponent(`${name}[polluted]`)}=1`,
            { headers: { [name]: 'x' } },
          );
          expect(response.status).toBeLessThan(500);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      },
    );
  });

  describe('forged and altered page cursors', () => {
    it.each([
      [
        'a forged cursor (base64 JSON of a table key)',
        () => Buffer.from(JSON.stringify({ pk: 'AUDIT', sk: '9999' })).toString('base64url'),
      ],
      ['a cursor with one character changed', (real: string) => `${real.slice(0, 10)}${real[10] === 'A' ? 'B' : 'A'}${real.slice(11)}`],
      ['a truncated cursor', (real: string) => real.slice(0, -6)],
      ['a cursor of garbage', () => '!!!not-a-cursor!!!'],
    ])('%s is a 400, never a 500 or a page where the forger pointed', async (_name, make) => {
      const first = await call('admin', 'GET', '/audit?limit=1');
      const real = (JSON.parse(first.text) as { cursor: string }).cursor;
      expect(real).toEqual(expect.any(String));
      expect((await call('admin', 'GET', `/audit?limit=1&cursor=${encodeURIComponent(real)}`)).status).toBe(200);
      const response = await call('admin', 'GET', `/audit?limit=1&cursor=${encodeURIComponent(make(real))}`);
      expect(response.status).toBe(400);
      expect(response.message).toMatch(/cursor/);
    });
  });

  describe('path-like names in the API', () => {
    it.each(PATH_LIKE)('a file name %j is kept as an opaque label: the intake key holds only ids', async (name) => {
      const { uploads } = await site.requestUploads(submissionId, [{ name, size: 10 }]);
      expect(uploads).toHaveLength(1);
      const key = new URL(uploads[0]!.url!).pathname;
      expect(key).toMatch(new RegExp(`/${submissionId}/${uploads[0]!.fileId}$`));
      expect(decodeURIComponent(key)).not.toContain('..');
      expect(decodeURIComponent(key)).not.toContain('etc');
    });

    it.each(PATH_LIKE.map((p) => [p]))(
      'a submission id, file id, study UID, quarantine id or DRS object id %j is a 4xx, never a 5xx or a file',
      async (raw) => {
        const bad = encodeURIComponent(raw);
        const probes: [keyof typeof tokens, string, string][] = [
          ['site', 'GET', `/submissions/${bad}`],
          ['site', 'POST', `/submissions/${submissionId}/uploads/${bad}/complete`],
          ['researcher', 'GET', `/studies/${bad}/files`],
          ['researcher', 'GET', `/studies/${bad}/archive`],
          ['researcher', 'GET', `/dicomweb/studies/${bad}/series`],
          ['curator', 'GET', `/quarantine/${bad}`],
          ['researcher', 'GET', `/ga4gh/drs/v1/objects/${bad}`],
        ];
        for (const [who, method, path] of probes) {
          const response = await call(who, method, path, method === 'POST' ? { body: '{}' } : {});
          expect([path, response.status]).toEqual([path, expect.any(Number)]);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(response.text).not.toContain('root:');
        }
      },
    );
  });

  describe('presigned URLs', () => {
    it('an expired upload URL is refused (403 Request has expired) and stores nothing', async () => {
      const { uploads } = await site.requestUploads(submissionId, [{ name: 'expired.dcm', size: 4 }]);
      // The URL the API issued, as it would be signed two hours ago for a minute: past its expiry now.
      const key = decodeURIComponent(new URL(uploads[0]!.url!).pathname.split('/').slice(2).join('/'));
      const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: commons.buckets.intake, Key: key, ContentLength: 4 }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 7_200_000),
      });
      const response = await fetch(url, { method: 'PUT', body: 'DICM' });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('<Message>Request has expired</Message>');
      expect((await keysIn(commons.buckets.intake)).filter((k) => k.endsWith(uploads[0]!.fileId))).toEqual([]);
    });

    it.each([
      [
        'its key (another file id)',
        (u: URL) => {
          u.pathname = u.pathname.replace(/[0-9a-f-]{36}$/, crypto.randomUUID());
        },
      ],
      [
        'its signature',
        (u: URL) => {
          const s = u.searchParams.get('X-Amz-Signature')!;
          u.searchParams.set('X-Amz-Signature', `${s.slice(0, -1)}${s.endsWith('0') ? '1' : '0'}`);
        },
      ],
      [
        'its expiry (made longer)',
        (u: URL) => {
          u.searchParams.set('X-Amz-Expires', '604800');
        },
      ],
    ])('an upload URL tampered in %s is refused (403 SignatureDoesNotMatch) and stores nothing', async (_what, change) => {
      const { uploads } = await site.requestUploads(submissionId, [{ name: 'tampered.dcm', size: 4 }]);
      const url = new URL(uploads[0]!.url!);
      change(url);
      const response = await fetch(url, { method: 'PUT', body: 'DICM' });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('SignatureDoesNotMatch');
      expect(await keysIn(commons.buckets.intake)).toEqual([]);
    });
  });

  describe('forbidden requests (wrong role)', () => {
    it.each([
      [
        'a researcher releasing a quarantined file',
        'researcher',
        'POST',
        `/quarantine/${crypto.randomUUID()}/release`,
        '{"reason":"let me"}',
      ],
      ['a researcher reading the audit log', 'researcher', 'GET', '/audit', undefined],
      [
        'a site uploader creating a project',
        'site',
        'POST',
        '/projects',
        '{"projectId":"mine","name":"mine","availability":"open","sites":["site-a"]}',
      ],
      ['a curator approving access', 'curator', 'POST', `/access-requests/${crypto.randomUUID()}/approve`, '{"reason":"ok"}'],
    ] as const)('%s is a 403', async (_name, who, method, path, body) => {
      const response = await call(who, method, path, body === undefined ? {} : { body });
      expect(response.status).toBe(403);
      expect(response.message).toEqual(expect.any(String));
    });

    it("another site's uploader cannot see or write this site's submission (403/404, nothing issued)", async () => {
      const other = await commons.issueToken(['site-uploader:site-b'], 'uploader-b');
      for (const [method, path, body] of [
        ['GET', `/submissions/${submissionId}`, undefined],
        ['POST', `/submissions/${submissionId}/uploads`, JSON.stringify({ files: [{ name: 'x.dcm', size: 4 }] })],
      ] as const) {
        const response = await fetch(`${commons.apiUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${other}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body } : {}),
        });
        expect([403, 404]).toContain(response.status);
      }
    });
  });

  describe('hilum upload and download with path-like names', () => {
    let folder: string;
    let manifest: { objects: Record<string, unknown>[] };

    it('hilum upload sends files named like paths under opaque keys, and never follows a link out of the folder', async () => {
      folder = join(dataDir, 'export');
      await mkdir(join(folder, 'a..b'), { recursive: true });
      const series = makeSeries(4, { modality: 'CT', elements: CT_RESCALE });
      await writeFile(join(folder, 'x..%2f..%2fescape.dcm'), series[0]!);
      await writeFile(join(folder, 'a..b', '%2e%2e%2fweird.dcm'), series[1]!);
      await writeFile(join(folder, 'x\\..\\..\\win.dcm'), series[2]!);
      // A leading dot is hidden (tool state such as .hilum-upload.json): skipped, never sent.
      await writeFile(join(folder, '..dcm'), series[3]!);
      const outside = join(dataDir, 'outside.dcm');
      await writeFile(
        outside,
        makeSeries(1, { modality: 'CT', elements: CT_RESCALE, seriesInstanceUid: '1.2.826.0.1.3680043.8.498.7313.9' })[0]!,
      );
      await symlink(outside, join(folder, 'link-out.dcm'));

      const { code, stdout, stderr } = await runCli(['upload', folder, '--project', PROJECT, '--site', 'site-a', '--wait'], tokens.site);
      expect(`${code} ${stderr}`).toBe('0 ');
      expect(stdout).toMatch(/^3 DICOM files in 1 study/);
      const keys = [
        ...(await keysIn(commons.buckets.released)),
        ...(await keysIn(commons.buckets.quarantine)),
        ...(await keysIn(commons.buckets.intake)),
      ];
      expect(keys.filter((k) => /\.\.|escape|%2e|weird|win|link-out|\\/i.test(k))).toEqual([]);
      const { studies } = await new HilumApi(commons.apiUrl, tokens.researcher).listStudies({ project: PROJECT });
      expect(studies).toEqual([expect.objectContaining({ instanceCount: 3 })]);
    });

    it.each([
      ['studyUid', '../../../escape'],
      ['seriesUid', '/tmp/hilum-absolute'],
      ['sopUid', '..%2f..%2fescape'],
      ['sopUid', '1.2.3\u0000/../../escape'],
      ['studyUid', '1.2.3/../../..'],
    ])('hilum download refuses a manifest whose %s is %j (ManifestError) and writes nothing anywhere', async (field, value) => {
      if (!manifest) {
        await new HilumApi(commons.apiUrl, tokens.curator).request('POST', '/releases', { notes: 'bad-input catalogue' });
        const cohort = await new HilumApi(commons.apiUrl, tokens.curator).request<{ cohortId: string }>('POST', '/cohorts', {
          name: 'bad input',
          filters: { facets: { project: [PROJECT] } },
        });
        manifest = await new HilumApi(commons.apiUrl, tokens.curator).request('GET', `/cohorts/${cohort.cohortId}/manifest`);
        expect(manifest.objects.length).toBe(3);
      }
      const root = join(dataDir, `download-${field}-${Buffer.from(value).toString('hex').slice(0, 16)}`);
      await mkdir(root);
      const hostile = { ...manifest, objects: manifest.objects.map((o, i) => (i === 0 ? { ...o, [field]: value } : o)) };
      await writeFile(join(root, 'manifest.json'), JSON.stringify(hostile));
      const { code, stderr } = await runCli(['download', join(root, 'manifest.json'), '--out', join(root, 'out', 'inner')], tokens.curator);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/manifest object 1: UIDs must be dotted digits/);
      expect(await readdir(root)).toEqual(['manifest.json']);
    });

    it('hilum download of the unaltered manifest writes only under its target folder', async () => {
      const root = join(dataDir, 'download-good');
      await mkdir(root);
      await writeFile(join(root, 'manifest.json'), JSON.stringify(manifest));
      const { code } = await runCli(['download', join(root, 'manifest.json'), '--out', join(root, 'out')], tokens.curator);
      expect(code).toBe(0);
      expect(await readdir(root)).toEqual(['manifest.json', 'out']);
      expect((await readdir(join(root, 'out'), { recursive: true })).filter((p) => p.endsWith('.dcm'))).toHaveLength(3);
    });
  });
});
