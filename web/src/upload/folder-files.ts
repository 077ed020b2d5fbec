/**
 * The files of a dropped folder or of a folder picker (`webkitdirectory`), each with its path
 * inside the folder: the site's own name for it, which the QA report uses again later.
 */
export interface PickedFile {
  readonly file: File;
  readonly relativePath: string;
}

/** From `<input type="file" webkitdirectory>`: each File knows its webkitRelativePath. */
export function fromInput(list: FileList): PickedFile[] {
  return Array.from(list, (file) => ({ file, relativePath: file.webkitRelativePath || file.name }));
}

/** From a drop: walks dropped folders (FileSystemEntry API), one level of batching per readEntries call. */
export async function fromDrop(items: DataTransferItemList): Promise<PickedFile[]> {
  const entries = Array.from(items, (item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ file, relativePath: `${prefix}${entry.name}` });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

/** Files a folder carries that are never DICOM instances (the CLI skips the same). */
export function isCandidate(relativePath: string): boolean {
  const name = relativePath.split('/').pop() ?? '';
  return !name.startsWith('.') && !/^(DICOMDIR|thumbs\.db|desktop\.ini)$/i.test(name) && !/\.(txt|md|csv|json|xml|pdf|html?)$/i.test(name);
}
