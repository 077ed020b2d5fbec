import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * The emulator ports a data folder used last, in `<dataDir>/ports.json`, so a restart
 * of the local commons on the same folder listens where it did: presigned URLs issued
 * before the restart (they name the S3 port) stay valid and a resumed upload goes on.
 */

export type PortName = 'api' | 's3' | 'dynamodb' | 'services';
export type Ports = Partial<Record<PortName, number>>;

export const PORTS_FILE = 'ports.json';

export async function loadSavedPorts(dataDir: string): Promise<Ports> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dataDir, PORTS_FILE), 'utf8')) as Record<string, unknown>;
    const ports: Ports = {};
    for (const name of ['api', 's3', 'dynamodb', 'services'] as const) {
      const value = parsed[name];
      if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536) ports[name] = value;
    }
    return ports;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return {};
    throw error;
  }
}

export async function savePorts(dataDir: string, ports: Required<Ports>): Promise<void> {
  await fs.writeFile(path.join(dataDir, PORTS_FILE), `${JSON.stringify(ports, null, 2)}\n`);
}

/** Whether nothing listens on the port of 127.0.0.1 now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * The port each emulator asks for: the caller's (0 picks a free one), else the one the
 * data folder used last if it is free, else a free one, with a line saying that URLs
 * issued before no longer reach it.
 */
export async function choosePorts(requested: Ports | undefined, saved: Ports, log: (message: string) => void): Promise<Ports> {
  const chosen: Ports = {};
  for (const name of ['api', 's3', 'dynamodb', 'services'] as const) {
    const asked = requested?.[name];
    if (asked !== undefined) {
      chosen[name] = asked;
      continue;
    }
    const last = saved[name];
    if (last === undefined) continue;
    if (await portIsFree(last)) chosen[name] = last;
    else
      log(
        `${name}: port ${last}, used last by this data folder, is taken; a new port is picked, and URLs issued before this start no longer reach it`,
      );
  }
  return chosen;
}

export const portOf = (url: string) => Number(new URL(url).port);
