import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { headerFactsOfFile, type DatasetView, type HeaderFacts, type InstanceFacts } from '../../layers/qa';

/** What the study rules need of one file, noted where the file was checked (strings and numbers: it crosses threads). */
export interface NotedFacts {
  readonly header: HeaderFacts;
  /** The pixel payload's length and CRC-32: files whose keys differ cannot have the same pixels. */
  readonly pixelKey?: string;
}

interface NotedFile extends NotedFacts {
  readonly path: string;
}

/** The facts of a readable file the check has in memory (`view`, which need not outlive the call). */
export function noteFacts(view: DatasetView, fileId: string, order: string): NotedFacts {
  const header = headerFactsOfFile(view, fileId, order);
  const pixelKey = view.pixelKey();
  return { header, ...(pixelKey !== undefined ? { pixelKey } : {}) };
}

/**
 * The study rules' facts of the files an offline check reads (`hilum qa`, `hilum upload`'s check), with
 * their two SHA-256 digests computed only where a rule could find them equal. The rules compare digests
 * for equality only: the whole file's between files with the same SOP Instance UID (uids.duplicate-sop),
 * the pixels' between all files (pixel.duplicate). Each was a pass over every file (two per 10 MB
 * radiograph, about 13 ms of the client's CPU); instead each file's pixels get a CRC-32 (a sixth of a
 * SHA-256 pass here), the pixel digest is computed, from the file read again, only for files whose
 * pixel length and CRC-32 another file shares, and the whole file's digest only when a rule reads it.
 * A file without the digest has pixels no other file has, so the rules decide as they did with it.
 */
export class FolderFacts {
  private readonly files: NotedFile[] = [];

  /**
   * `scan`: the view of a file's bytes as the check scanned them (its inflation policy), for a file read again;
   * `read`: how a file is read again.
   */
  constructor(
    private readonly scan: (bytes: Uint8Array) => DatasetView,
    private readonly read: (path: string) => Uint8Array = (path) => new Uint8Array(readFileSync(path)),
  ) {}

  /** Notes a readable file the check has in memory (`view`, which need not outlive the call); returns its header facts. */
  add(view: DatasetView, path: string, fileId: string, order: string): HeaderFacts {
    return this.addNoted(noteFacts(view, fileId, order), path);
  }

  /** Notes a file's facts taken by `noteFacts` (possibly on another thread); `path` reads it again here if a rule needs a digest. */
  addNoted(noted: NotedFacts, path: string): HeaderFacts {
    this.files.push({ ...noted, path });
    return noted.header;
  }

  /** The facts of every file noted, in order, for evaluateStudies. */
  facts(): InstanceFacts[] {
    const sharing = new Map<string, number>();
    for (const { pixelKey } of this.files) if (pixelKey !== undefined) sharing.set(pixelKey, (sharing.get(pixelKey) ?? 0) + 1);
    return this.files.map(({ header, path, pixelKey }) => {
      const pixelSha256 = pixelKey !== undefined && (sharing.get(pixelKey) ?? 0) > 1 ? this.pixelSha256Of(path) : undefined;
      return this.withFileSha256({ ...header, ...(pixelSha256 !== undefined ? { pixelSha256 } : {}) }, path);
    });
  }

  private pixelSha256Of(path: string): string | undefined {
    return this.scan(this.read(path)).pixelSha256();
  }

  /** The whole file's SHA-256 as a property computed once, from the file read again, when a rule first reads it. */
  private withFileSha256(facts: Omit<InstanceFacts, 'sha256'>, path: string): InstanceFacts {
    let digest: string | undefined;
    const read = this.read;
    return Object.defineProperty(facts, 'sha256', {
      enumerable: true,
      get: () => (digest ??= createHash('sha256').update(read(path)).digest('hex')),
    }) as InstanceFacts;
  }
}
