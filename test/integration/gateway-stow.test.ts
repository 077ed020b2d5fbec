/**
 * STOW-RS to `hilum gateway` (docs/dicomweb.md, "STOW-RS above 4 MiB"): a PACS at the site
 * stores a radiograph above 10 MB with dicomweb-client (the commons' own STOW-RS takes 4 MiB),
 * next to a part that is not DICOM. The gateway answers a Store Instances Response once each
 * part is spooled and checked (202: one referenced, one failed with C000), uploads the study
 * through presigned URLs once quiet, and the radiograph ends published, pixel bytes intact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCommons, type LocalCommons } from '../../local/commons';
import { HilumApi } from '../../cli/lib/api-client';
import { createProject } from '../support/projects';
import { makeDicom } from '../support/synthetic-dicom';
import { dicomwebClient } from '../support/dicomweb-client';
import { readDicomFile } from '../../layers/dicom';
import { parseMultipart, boundaryOf } from '../../layers/dicomweb';

jest.setTimeout(120_000);

const CLI = join(__dirname, '../../cli/bin/hilum.js');
const STUDY = '1.2.826.0.1.3680043.8.498.7373.1';
const DX = '1.2.840.10008.5.1.4.1.1.1.1';

describe('STOW-RS to the gateway', () => {
  let dataDir: string;
  let commons: LocalCommons;
  let gateway: ChildProcess | undefined;
  let output = '';
  let stowUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hilum-gateway-stow-'));
    commons = await startLocalCommons({
      dataDir: join(dataDir, 'commons'),
      reset: true,
      ports: { api: 0, s3: 0, dynamodb: 0, services: 0 },
      handlerLogLevel: 'ERROR',
    });
    const curatorToken = await commons.issueToken(['curator'], 'curator-stow-gw');
    await createProject(commons.apiUrl, curatorToken, 'gateway-stow', ['site-a']);
    // This test is about transport: OCR of a 5.5-megapixel radiograph for burned-in text (docs/deidentification.md) is tested elsewhere.
    await new HilumApi(commons.apiUrl, curatorToken).request('PUT', '/projects/gateway-stow/qa-config', {
      burnedInText: { enabled: false },
    });
    const [dimsePort, stowPort] = [await freePort(), await freePort()];
    stowUrl = `http://127.0.0.1:${stowPort}`;
    gateway = spawn(
      process.execPath,
      [
        CLI,
        'gateway',
        ...['--project', 'gateway-stow', '--site', 'site-a', '--no-deid-at-site'],
        ...['--port', String(dimsePort), '--stow-port', String(stowPort), '--spool', join(dataDir, 'spool'), '--quiet', '1'],
      ],
      {
        env: { ...process.env, HILUM_API_URL: commons.apiUrl, HILUM_TOKEN: await commons.issueToken(['site-uploader:site-a'], 'gw-stow') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const take = (d: Buffer) => (output += d.toString());
    gateway.stdout!.on('data', take);
    gateway.stderr!.on('data', take);
    await waitFor(
      () => output.includes('STOW-RS on'),
      30_000,
      () => output,
    );
  });

  afterAll(async () => {
    gateway?.kill('SIGKILL');
    await commons?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('spools a radiograph above 10 MB, refuses a part that is not DICOM, and the radiograph ends published', async () => {
    // 2560 x 2140 16-bit samples: a 10.96 MB chest radiograph.
    // As a modality writes it: ORIGINAL, declared free of burned-in text (else pixel review holds it for a curator).
    const radiograph = makeDicom({
      modality: 'DX',
      studyInstanceUid: STUDY,
      seriesInstanceUid: `${STUDY}.1`,
      rows: 2560,
      columns: 2140,
      burnedInAnnotation: 'NO',
      elements: { '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY'] } },
    });
    expect(radiograph.byteLength).toBeGreaterThan(10 * 1000 * 1000);
    const notDicom = new TextEncoder().encode('this is a report, not an instance');
    // The gateway asks for no token (it listens on the loopback); dicomweb-client adds /dicomweb itself.
    const client = dicomwebClient(stowUrl, '');
    const answer = (await client.storeInstances({
      datasets: [radiograph.buffer as ArrayBuffer, notDicom.buffer as ArrayBuffer],
    })) as string;
    const response = JSON.parse(answer) as Record<string, { Value?: Record<string, { Value?: unknown[] }>[] }>;
    expect(response['00081199']?.Value?.map((item) => [item['00081150']?.Value?.[0], item['00081155']?.Value?.[0]])).toEqual([
      [DX, `${STUDY}.1.1`],
    ]);
    expect(response['00081198']?.Value?.map((item) => item['00081197']?.Value?.[0])).toEqual([0xc000]);
    // Nothing of the refused part stays in the spool.
    expect(await readdir(join(dataDir, 'spool', 'incoming'))).toEqual([]);

    await waitFor(
      () => output.includes('uploaded as submission'),
      60_000,
      () => output,
    );
    await commons.idle();
    const researcher = await commons.issueToken(['researcher'], 'researcher-stow-gw');
    const curator = new HilumApi(commons.apiUrl, await commons.issueToken(['curator'], 'curator-stow-gw'));
    const [study] = (await curator.listStudies({ project: 'gateway-stow' })).studies;
    expect(study).toMatchObject({ modalities: ['DX'] });
    const search = await fetch(`${commons.apiUrl}/dicomweb/studies/${study!.studyUid}/instances`, {
      headers: { authorization: `Bearer ${researcher}`, accept: 'application/dicom+json' },
    });
    const [instance] = (await search.json()) as Record<string, { Value: string[] }>[];
    // Above the inline limit: answered by a 303 to S3, which fetch follows.
    const retrieved = await fetch(
      `${commons.apiUrl}/dicomweb/studies/${study!.studyUid}/series/${instance!['0020000E']!.Value[0]}/instances/${instance!['00080018']!.Value[0]}`,
      { headers: { authorization: `Bearer ${researcher}`, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } },
    );
    expect(retrieved.status).toBe(200);
    const [part] = parseMultipart(new Uint8Array(await retrieved.arrayBuffer()), boundaryOf(retrieved.headers.get('content-type')!)!);
    const published = readDicomFile(part!.body).dict['7FE00010']!.Value![0] as ArrayBuffer;
    const sent = readDicomFile(radiograph).dict['7FE00010']!.Value![0] as ArrayBuffer;
    expect(Buffer.from(published).equals(Buffer.from(sent))).toBe(true);
  });
});

async function waitFor(probe: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out; gateway output:\n${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
