import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface FoundFile {
  readonly path: string;
  /** Relative to the scanned root, with `/` separators. */
  readonly relativePath: string;
  readonly size: number;
}

/**
 * Every regular file under `root` (or `root` itself when it is a file), sorted by
 * relative path so runs are repeatable. Hidden files and folders (a leading dot)
 * are skipped: they are tool state such as `.hilum-upload.json`, never images.
 */
export async function scanFiles(root: string): Promise<FoundFile[]> {
  const info = await stat(root);
  if (info.isFile()) return [{ path: root, relativePath: root.split(/[\\/]/).pop() ?? root, size: info.size }];
  const found: FoundFile[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) found.push({ path, relativePath: relative(root, path).split(/[\\/]/).join('/'), size: (await stat(path)).size });
    }
  };
  await walk(root);
  return found.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}
