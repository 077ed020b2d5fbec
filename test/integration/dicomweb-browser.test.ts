/**
 * A DICOMweb answer above the inline limit (4 MiB: a 303 to a presigned URL of the released
 * bucket) read by a real browser, as OHIF or the portal reads it: a page served from an
 * allowed origin fetches the instance with an Authorization header through the local
 * commons. Chromium preflights the API (Authorization, a quoted Accept), follows the 303 to
 * S3 with `Origin: null` and without Authorization, preflights S3 for that origin and reads the
 * bytes only if the released bucket's CORS rule answers it (docs/dicomweb.md, "Large answers").
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { submitFiles } from '../support/projects';
import { makeDicom } from '../support/synthetic-dicom';
import { CHROMIUM_ARGS } from '../support/portal';

jest.setTimeout(120_000);

const STUDY = '1.2.826.0.1.3680043.8.498.7272.1';
const ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

describe('large DICOMweb answers in a browser', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let page: http.Server;
  let pageOrigin: string;
  let browser: Browser;
  let token: string;
  let instanceUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-dicomweb-browser-'));
    page = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>viewer</title>'),
    );
    page.listen(0, '127.0.0.1');
    await once(page, 'listening');
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      corsOrigins: [pageOrigin],
      handlerLogLevel: 'ERROR',
    });
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-browser'));
    const site = new HilumApi(commons.apiUrl, await commons.issueToken(['site-uploader:site-a'], 'uploader-browser'));
    await curator.request('POST', '/projects', { projectId: 'browser-open', name: 'open', availability: 'open', sites: ['site-a'] });
    // 1500 x 1500 16-bit samples: 4.5 MB of Pixel Data, above the 4 MiB inline limit.
    await submitFiles(site, 'browser-open', 'site-a', { 'large.dcm': makeDicom({ studyInstanceUid: STUDY, rows: 1500, columns: 1500 }) });
    await commons.idle();
    token = await commons.issueToken(['researcher'], 'viewer-browser');
    const [study] = (await curator.listStudies({ project: 'browser-open' })).studies;
    const search = await fetch(`${commons.apiUrl}/dicomweb/studies/${study!.studyUid}/instances`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/dicom+json' },
    });
    const [instance] = (await search.json()) as Record<string, { Value: string[] }>[];
    instanceUrl =
      `${commons.apiUrl}/dicomweb/studies/${study!.studyUid}/series/${instance!['0020000E']!.Value[0]}` +
      `/instances/${instance!['00080018']!.Value[0]}`;
    // playwright gives the browser a fresh user data directory of its own.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await commons?.stop();
    page?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reads a retrieve above 4 MiB from a page of an allowed origin, through the 303 to S3, byte for byte', async () => {
    const direct = await fetch(instanceUrl, { redirect: 'manual', headers: { authorization: `Bearer ${token}`, accept: ACCEPT } });
    expect(direct.status).toBe(303);
    const expected = Buffer.from(await (await fetch(direct.headers.get('location')!)).arrayBuffer());
    expect(expected.byteLength).toBeGreaterThan(4 * 1024 * 1024);

    const tab = await browser.newPage();
    await tab.goto(`${pageOrigin}/`);
    const read = await tab.evaluate(
      async ({ url, bearer, accept }) => {
        try {
          const response = await fetch(url, { headers: { Authorization: `Bearer ${bearer}`, Accept: accept } });
          const bytes = new Uint8Array(await response.arrayBuffer());
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          return {
            status: response.status,
            redirected: response.redirected,
            contentType: response.headers.get('content-type'),
            length: bytes.byteLength,
            sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
          };
        } catch (error) {
          return { error: String(error) };
        }
      },
      { url: instanceUrl, bearer: token, accept: ACCEPT },
    );
    await tab.close();
    expect(read).toEqual({
      status: 200,
      redirected: true,
      contentType: expect.stringMatching(/^multipart\/related; type="application\/dicom"; boundary=/),
      length: expected.byteLength,
      sha256: createHash('sha256').update(expected).digest('hex'),
    });
  });
});
