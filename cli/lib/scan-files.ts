import { readdirSync, statSync, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, normalize, relative, sep } from 'node:path';

export interface FoundFile {
  readonly path: string;
  /** Relative to the scanned root, with `/` separators. */
  readonly relativePath: string;
  readonly size: number;
}

/** Hidden files and folders (a leading dot) are tool state such as `.hilum-upload.json`, never images. */
const isHidden = (entry: Dirent): boolean => entry.name.startsWith('.');

const found = (root: string, path: string, size: number): FoundFile => ({
  path,
  relativePath: relative(root, path).split(/[\\/]/).join('/'),
  size,
});

const byRelativePath = (a: FoundFile, b: FoundFile): number =>
  a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0;

/**
 * Every regular file under `root` (or `root` itself when it is a file), sorted by
 * relative path so runs are repeatable; hidden entries skipped. For servers (the
 * gateway): the event loop stays free, and the stats of a folder run in parallel.
 */
export async function scanFiles(root: string): Promise<FoundFile[]> {
  const info = await stat(root);
  if (info.isFile()) return [{ path: root, relativePath: root.split(/[\\/]/).pop() ?? root, size: info.size }];
  const files: FoundFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => !isHidden(entry));
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) files.push(found(root, path, (await stat(path)).size));
      }),
    );
  };
  await walk(root);
  return files.sort(byRelativePath);
}

/**
 * The same as scanFiles, for batch commands that wait for the list anyway: a
 * blocking stat costs a few microseconds, an awaited one a trip through libuv's
 * thread pool (300 CT slices: 3 ms against 20 ms, a tenth of a `hilum deid` run).
 */
export function scanFilesSync(root: string): FoundFile[] {
  const info = statSync(root);
  if (info.isFile()) return [{ path: root, relativePath: root.split(/[\\/]/).pop() ?? root, size: info.size }];
  const files: FoundFile[] = [];
  // Paths built by appending names (join and relative per file were most of the scan's time).
  const walk = (folder: string, relativeFolder: string): void => {
    const base = folder.endsWith(sep) ? folder : `${folder}${sep}`;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (isHidden(entry)) continue;
      const path = `${base}${entry.name}`;
      const relativePath = relativeFolder === '' ? entry.name : `${relativeFolder}/${entry.name}`;
      if (entry.isDirectory()) walk(path, relativePath);
      else if (entry.isFile()) files.push({ path, relativePath, size: statSync(path).size });
    }
  };
  walk(normalize(root), '');
  return files.sort(byRelativePath);
}
