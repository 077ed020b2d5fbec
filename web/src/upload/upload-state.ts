/**
 * What a browser upload has done, kept across a reload: the submission, and per file (keyed by
 * the file's identity in the dropped folder: path, size, modification time) its announced id,
 * the size announced for it (the de-identified copy's), and whether it arrived. Stored in
 * localStorage under the project, site and folder, so dropping the same folder again resumes the
 * same submission and sends only what is missing.
 */
export interface FileIdentity {
  /** The path inside the dropped folder (the site's own name for the file). */
  readonly relativePath: string;
  readonly size: number;
  readonly lastModified: number;
}

export interface FileRecord {
  readonly relativePath: string;
  readonly fileId: string;
  /** The size announced (and signed into the presigned URL): the bytes actually sent. */
  readonly announcedSize: number;
  status: 'announced' | 'uploaded';
  uploadId?: string;
  /** Multipart: part number -> ETag of each part that arrived. */
  parts?: Record<string, string>;
}

export interface UploadRecord {
  readonly version: 1;
  readonly submissionId: string;
  readonly project: string;
  readonly site: string;
  readonly deidentifiedAtSite: boolean;
  sealed: boolean;
  readonly files: Record<string, FileRecord>;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const fileKey = (f: FileIdentity): string => `${f.relativePath}\u0000${f.size}\u0000${f.lastModified}`;

/** The folder's name: the first segment the dropped files share. */
export function folderOf(files: readonly Pick<FileIdentity, 'relativePath'>[]): string {
  const first = files[0]?.relativePath.split('/')[0] ?? '';
  return files.every((f) => f.relativePath.split('/')[0] === first) ? first : '';
}

export const storeKey = (project: string, site: string, folder: string): string => `hilum.upload.${project}.${site}.${folder}`;

export function loadRecord(store: KeyValueStore, key: string): UploadRecord | undefined {
  const raw = store.getItem(key);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<UploadRecord>;
    if (parsed.version !== 1 || typeof parsed.submissionId !== 'string' || typeof parsed.files !== 'object' || parsed.files === null) {
      return undefined;
    }
    return parsed as UploadRecord;
  } catch {
    return undefined;
  }
}

export function saveRecord(store: KeyValueStore, key: string, record: UploadRecord): void {
  store.setItem(key, JSON.stringify(record));
}

/**
 * Whether a stored record can be resumed with these files: the same project, site and
 * de-identification choice, not sealed, or sealed with no file it does not know (then there is
 * nothing left to send). Otherwise a new submission starts.
 */
export function resumable(
  record: UploadRecord | undefined,
  files: readonly FileIdentity[],
  wanted: { project: string; site: string; deidentifiedAtSite: boolean },
): record is UploadRecord {
  if (!record) return false;
  if (record.project !== wanted.project || record.site !== wanted.site || record.deidentifiedAtSite !== wanted.deidentifiedAtSite)
    return false;
  return !record.sealed || files.every((f) => record.files[fileKey(f)]);
}

export interface UploadPlan {
  /** Not yet announced: announce, then send. */
  readonly toAnnounce: readonly FileIdentity[];
  /** Announced earlier, not yet arrived: send (renewing their URLs). */
  readonly toResume: readonly FileIdentity[];
  /** Arrived in an earlier run: nothing to do. */
  readonly done: readonly FileIdentity[];
}

/** What is left for these files, in the folder's path order (so progress reads top to bottom). */
export function planUpload(files: readonly FileIdentity[], record: UploadRecord | undefined): UploadPlan {
  const ordered = [...files].sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  const toAnnounce: FileIdentity[] = [];
  const toResume: FileIdentity[] = [];
  const done: FileIdentity[] = [];
  for (const file of ordered) {
    const known = record?.files[fileKey(file)];
    if (!known) toAnnounce.push(file);
    else if (known.status === 'uploaded') done.push(file);
    else toResume.push(file);
  }
  return { toAnnounce, toResume, done };
}

/** file id -> the site's path, for naming quarantined files in the QA report. */
export function namesOf(record: UploadRecord): Map<string, string> {
  return new Map(Object.values(record.files).map((f) => [f.fileId, f.relativePath]));
}
