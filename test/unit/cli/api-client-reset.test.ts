import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiUnreachable, HilumApi } from '../../../cli/lib/api-client';

/** A server that drops the first `resets` connections without answering, then answers every request. */
async function flakyServer(resets: number): Promise<{ server: Server; url: string; requests: () => number }> {
  let seen = 0;
  const server = createServer((req, res) => {
    seen += 1;
    if (seen <= resets) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, method: req.method }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => seen };
}

describe('the API client on a connection reset', () => {
  let running: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (running ? running.close(() => resolve()) : resolve())));

  it('sends a read again on a new connection, twice at most', async () => {
    const { server, url, requests } = await flakyServer(2);
    running = server;
    await expect(new HilumApi(url, 't').request('GET', '/submissions/s-1')).resolves.toEqual({ ok: true, method: 'GET' });
    expect(requests()).toBe(3);
  });

  it('gives up after three resets with the reset named', async () => {
    const { server, url, requests } = await flakyServer(3);
    running = server;
    const failure = new HilumApi(url, 't').request('GET', '/submissions/s-1');
    await expect(failure).rejects.toBeInstanceOf(ApiUnreachable);
    await expect(failure).rejects.toThrow(/ECONNRESET|UND_ERR_SOCKET|socket/i);
    expect(requests()).toBe(3);
  });

  it('never sends a write twice: a POST whose connection reset fails at once', async () => {
    const { server, url, requests } = await flakyServer(1);
    running = server;
    await expect(new HilumApi(url, 't').request('POST', '/submissions', { project: 'p', site: 's' })).rejects.toBeInstanceOf(
      ApiUnreachable,
    );
    expect(requests()).toBe(1);
  });
});
