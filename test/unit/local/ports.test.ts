import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { choosePorts, loadSavedPorts, PORTS_FILE, savePorts } from '../../../local/ports';

const listenAnywhere = () =>
  new Promise<net.Server>((resolve) => {
    const server = net.createServer();
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(server));
  });
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('emulator ports kept per data folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hilum-ports-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('reuses the ports the data folder used last when they are free', async () => {
    const probe = await listenAnywhere();
    const free = portOf(probe);
    await close(probe);
    await savePorts(dir, { api: 3000, s3: free, dynamodb: free, services: free });
    const lines: string[] = [];
    expect(await choosePorts({ api: 3000 }, await loadSavedPorts(dir), (l) => lines.push(l))).toEqual({
      api: 3000,
      s3: free,
      dynamodb: free,
      services: free,
    });
    expect(lines).toEqual([]);
  });

  it('lets a port the caller passes win, 0 included', async () => {
    expect(
      await choosePorts({ api: 0, s3: 0, dynamodb: 0, services: 0 }, { api: 1, s3: 2, dynamodb: 3, services: 4 }, () => undefined),
    ).toEqual({ api: 0, s3: 0, dynamodb: 0, services: 0 });
  });

  it('picks a free port, and says so, when another program took the saved one', async () => {
    const taken = await listenAnywhere();
    try {
      const lines: string[] = [];
      expect(await choosePorts(undefined, { s3: portOf(taken) }, (l) => lines.push(l))).toEqual({});
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^s3: port ${portOf(taken)}, used last by this data folder, is taken`))]);
    } finally {
      await close(taken);
    }
  });

  it('ignores a missing, broken or out-of-range ports file', async () => {
    expect(await loadSavedPorts(dir)).toEqual({});
    await writeFile(join(dir, PORTS_FILE), '{not json');
    expect(await loadSavedPorts(dir)).toEqual({});
    await writeFile(join(dir, PORTS_FILE), JSON.stringify({ s3: 70000, api: -1, dynamodb: '9000', services: 4567 }));
    expect(await loadSavedPorts(dir)).toEqual({ services: 4567 });
  });
});
