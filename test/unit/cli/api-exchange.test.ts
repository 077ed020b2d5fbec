import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiError, ApiUnreachable, HilumApi } from '../../../cli/lib/api-client';
import { AnswerCut } from '../../../cli/lib/api-exchange';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server that records every request and answers it with `answer`. */
async function serve(answer: (seen: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      answer(request, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

describe("the API client's requests (node:http, not fetch)", () => {
  it('sends the token, a JSON body with its length and accept */*, and parses the answer', async () => {
    const api = await serve((_, res) => json(res, 201, { submissionId: 's-1', status: 'open', note: 'é' }));
    await expect(new HilumApi(api.url, 'tok').createSubmission('p', 's')).resolves.toEqual({
      submissionId: 's-1',
      status: 'open',
      note: 'é',
    });
    const [request] = api.seen;
    expect(request).toMatchObject({ method: 'POST', url: '/submissions', body: '{"project":"p","site":"s"}' });
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
      'content-length': '26',
      accept: '*/*',
    });
  });

  it("tells an error answer by its status and the API's message", async () => {
    const api = await serve((_, res) => json(res, 409, { message: 'already sealed' }));
    const failure = new HilumApi(api.url, 't').completeSubmission('s-1');
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 409, message: 'POST /submissions/s-1/complete failed (409): already sealed' });
  });

  it('follows a 303 as fetch did: a GET without the body, the token kept within the origin', async () => {
    const api = await serve((seen, res) => {
      if (seen.url === '/a') {
        res.writeHead(303, { location: '/b' });
        res.end();
      } else json(res, 200, { at: seen.url });
    });
    await expect(new HilumApi(api.url, 'tok').request('POST', '/a', { x: 1 })).resolves.toEqual({ at: '/b' });
    expect(api.seen.map((s) => s.method)).toEqual(['POST', 'GET']);
    expect(api.seen[1]?.body).toBe('');
    expect(api.seen[1]?.headers.authorization).toBe('Bearer tok');
    expect(api.seen[1]?.headers['content-type']).toBeUndefined();
  });

  it('does not carry the token to another origin a redirect points at', async () => {
    const elsewhere = await serve((_, res) => json(res, 200, { ok: true }));
    const api = await serve((_, res) => {
      res.writeHead(307, { location: `${elsewhere.url.replace('127.0.0.1', 'localhost')}/object` });
      res.end();
    });
    await expect(new HilumApi(api.url, 'tok').request('GET', '/dicomweb/x')).resolves.toEqual({ ok: true });
    expect(elsewhere.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('a refused connection is ApiUnreachable with its code; an answer cut short is not', async () => {
    const closed = await serve(() => undefined);
    const port = new URL(closed.url).port;
    await new Promise((resolve) => servers.splice(0)[0]?.close(resolve));
    const refused = new HilumApi(`http://127.0.0.1:${port}`, 't').request('POST', '/submissions', {});
    await expect(refused).rejects.toBeInstanceOf(ApiUnreachable);
    await expect(refused).rejects.toThrow(/ECONNREFUSED/);

    // Headers and part of the body, then the connection dropped: the request may have had its effect, so it is
    // not "unreachable" (which stops an upload run) but a failure of this call.
    const cut = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const failure = new HilumApi(cut.url, 't').request('POST', '/submissions/s-1/uploads', {});
    await expect(failure).rejects.toBeInstanceOf(AnswerCut);
    expect(cut.seen).toHaveLength(1);
  });

  it("does not load Node's bundled fetch (undici), whose first use cost a CLI process ~50-65 ms of CPU", async () => {
    // A fresh process, since this test runner may have loaded fetch itself.
    const script = `
      const { createServer } = require('node:http');
      const { HilumApi } = require(${JSON.stringify(join(__dirname, '../../../cli/lib/api-client.ts'))});
      const server = createServer((req, res) => res.end('{"ok":true}'));
      server.listen(0, '127.0.0.1', async () => {
        const answer = await new HilumApi('http://127.0.0.1:' + server.address().port, 't').request('GET', '/x');
        server.close();
        console.log(JSON.stringify({ answer, undici: process.moduleLoadList.some((m) => m.includes('undici')) }));
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: join(__dirname, '../../..'),
    });
    expect(JSON.parse(stdout)).toEqual({ answer: { ok: true }, undici: false });
  });
});
