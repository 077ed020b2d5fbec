import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { Server } from 'dcmjs-dimse';
import { appendJournal, studyOfBatch } from './journal';
import { createScpClass } from './scp';
import { Spool } from './spool';
import { startStowServer } from './stow';

export interface GatewayOptions {
  readonly aeTitle: string;
  readonly port: number;
  readonly host?: string;
  readonly spoolDir: string;
  /** Calling AE titles allowed to send; empty allows any. */
  readonly allowedCallingAeTitles: readonly string[];
  /** A study is complete once no instance arrived for this long. */
  readonly quietSeconds: number;
  readonly checkIntervalMs?: number;
  /** Uploads one complete study folder as a submission (resumable: it may be called again after a crash). */
  readonly uploadStudy: (folder: string) => Promise<{ submissionId: string }>;
  readonly log: (line: string) => void;
  /** Also take STOW-RS (`POST /dicomweb/studies`) on this port, into the same spool (`stow.ts`). */
  readonly stow?: { readonly port: number; readonly host?: string };
}

/**
 * A DICOM C-STORE receiver for a site: PACS and modalities send to it, it spools
 * every instance durably before acknowledging, groups instances into studies,
 * and uploads each study as one submission once it has been quiet for a while.
 * A study taken for upload is moved to `uploading/` first, so instances arriving
 * late start a new study folder instead of racing the upload.
 */
export class Gateway {
  private readonly spool: Spool;
  private server?: InstanceType<typeof Server>;
  private stowServer?: { close(): Promise<void> };
  private timer?: NodeJS.Timeout;
  private busy = false;
  private stopped = false;
  private readonly uploadingDir: string;

  constructor(private readonly options: GatewayOptions) {
    this.spool = new Spool(options.spoolDir);
    this.uploadingDir = join(options.spoolDir, 'uploading');
  }

  async start(): Promise<{ port: number; stowPort?: number }> {
    await this.spool.init();
    await mkdir(this.uploadingDir, { recursive: true });
    const ScpClass = createScpClass({
      spool: this.spool,
      calledAeTitle: this.options.aeTitle,
      allowedCallingAeTitles: this.options.allowedCallingAeTitles,
      events: {
        stored: () => undefined,
        rejected: (reason) => this.options.log(`rejected: ${reason}`),
      },
    });
    const server = new Server(ScpClass as never);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.on('listening', () => resolve());
      server.on('networkError', (error: Error) => reject(error));
      server.listen(this.options.port);
    });
    const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
    let stowPort: number | undefined;
    if (this.options.stow) {
      const stow = await startStowServer({ spool: this.spool, ...this.options.stow, log: this.options.log });
      this.stowServer = stow;
      stowPort = stow.port;
    }
    this.timer = setInterval(() => void this.tick(), this.options.checkIntervalMs ?? 1000);
    void this.tick();
    return { port, ...(stowPort !== undefined ? { stowPort } : {}) };
  }

  /** Uploads what is due: first studies whose upload was interrupted, then quiet ones. */
  async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      for (const name of await readdir(this.uploadingDir)) await this.upload(join(this.uploadingDir, name));
      const now = Date.now();
      for (const study of await this.spool.studies()) {
        if (this.stopped || now - study.lastReceivedMs < this.options.quietSeconds * 1000) continue;
        const target = join(this.uploadingDir, `${study.key}-${now}`);
        await rename(study.folder, target);
        this.options.log(
          `study ${study.key.slice(0, 12)}: ${study.instances} instances, quiet for ${this.options.quietSeconds} s; uploading`,
        );
        await this.upload(target);
      }
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.server?.close();
    await this.stowServer?.close();
    while (this.busy) await new Promise((r) => setTimeout(r, 50));
  }

  private async upload(folder: string): Promise<void> {
    const batch = basename(folder);
    const instances = await readdir(folder).then(
      (names) => names.filter((f) => f.endsWith('.dcm')).length,
      () => 0,
    );
    const at = () => new Date().toISOString();
    try {
      const { submissionId } = await this.options.uploadStudy(folder);
      // Recorded before the folder goes, for `hilum gateway status`: the journal outlives it.
      await appendJournal(this.options.spoolDir, { event: 'sent', at: at(), study: studyOfBatch(batch), instances, submissionId });
      await rm(folder, { recursive: true, force: true });
      this.options.log(`uploaded as submission ${submissionId}`);
    } catch (error) {
      // The folder stays in uploading/ and is retried on the next tick (and after a restart).
      const message = error instanceof Error ? error.message : String(error);
      await appendJournal(this.options.spoolDir, {
        event: 'failed',
        at: at(),
        study: studyOfBatch(batch),
        batch,
        instances,
        error: message,
      }).catch(
        () => undefined, // a journal that cannot be written must not stop the retries
      );
      this.options.log(`upload failed, will retry: ${message}`);
    }
  }
}
