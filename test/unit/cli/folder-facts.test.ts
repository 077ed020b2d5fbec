/** The offline check's study facts (cli/lib/folder-facts.ts): digests only where a rule could find them equal. */
import { createHash } from 'node:crypto';
import { FolderFacts } from '../../../cli/lib/folder-facts';
import { scanPart10 } from '../../../layers/dicom';
import { DatasetView, evaluateStudies } from '../../../layers/qa';
import { makeDicom } from '../../support/synthetic-dicom';

const SERIES = '1.2.826.0.1.3680043.8.498.7021.2';
const view = (bytes: Uint8Array) => new DatasetView(scanPart10(bytes));

/** Files by name as the check reads them, and every reading again of one after the check's own. */
function folder(files: Record<string, Uint8Array>) {
  const reread: string[] = [];
  const facts = new FolderFacts(view, (path) => {
    reread.push(path);
    const bytes = files[path];
    if (!bytes) throw new Error(`no file ${path}`);
    return bytes;
  });
  Object.entries(files).forEach(([path, bytes], index) => facts.add(view(bytes), path, path, String(index).padStart(8, '0')));
  return { facts, reread };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('FolderFacts', () => {
  it('reads no file again and gives no pixel digest when no two files share pixels, and no study rule fires', () => {
    const { facts, reread } = folder({
      'a.dcm': makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 1 }),
      'b.dcm': makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 2 }),
      'c.dcm': makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 3, rows: 8, columns: 8 }),
    });
    const all = facts.facts();
    expect(all.map((f) => f.pixelSha256)).toEqual([undefined, undefined, undefined]);
    const ids = evaluateStudies(all, undefined, 'original').map((f) => f.ruleId);
    expect(ids).not.toContain('pixel.duplicate');
    expect(ids).not.toContain('uids.duplicate-sop');
    expect(reread).toEqual([]);
  });

  it("gives the pixels' SHA-256 to files whose pixels another file has, so pixel.duplicate still flags the later one", () => {
    const pixels = makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 1 });
    const copy = makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 1, sopInstanceUid: `${SERIES}.77` });
    const { facts, reread } = folder({
      'a.dcm': pixels,
      'b.dcm': makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 2 }),
      'c.dcm': copy,
    });
    const all = facts.facts();
    expect(all.map((f) => f.pixelSha256)).toEqual([view(pixels).pixelSha256(), undefined, view(copy).pixelSha256()]);
    expect(all[0]?.pixelSha256).toBe(all[2]?.pixelSha256);
    expect(reread.sort()).toEqual(['a.dcm', 'c.dcm']);
    expect(evaluateStudies(all, undefined, 'original').filter((f) => f.ruleId === 'pixel.duplicate')).toEqual([
      expect.objectContaining({ fileId: 'c.dcm', message: 'pixel data identical to file a.dcm under another SOPInstanceUID' }),
    ]);
  });

  it("reads a file's whole SHA-256 from the file, once, when a rule compares it: a SOP Instance UID with other bytes is a conflict, with the same bytes it is not", () => {
    const first = makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 1 });
    const other = makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 1, sopInstanceUid: `${SERIES}.1`, rows: 8, columns: 8 });
    const conflict = folder({ '1.dcm': first, '9-other.dcm': other, '2.dcm': makeDicom({ seriesInstanceUid: SERIES, instanceNumber: 2 }) });
    const facts = conflict.facts.facts();
    expect(evaluateStudies(facts, undefined, 'original').filter((f) => f.ruleId === 'uids.duplicate-sop')).toEqual([
      expect.objectContaining({ fileId: '9-other.dcm' }),
    ]);
    // Only the two files that share the UID were hashed; the answer is the file's own digest, kept.
    expect(conflict.reread.sort()).toEqual(['1.dcm', '9-other.dcm']);
    expect(facts[0]?.sha256).toBe(sha256(first));
    expect(conflict.reread).toHaveLength(2);

    const repeated = folder({ '1.dcm': first, '1-again.dcm': first });
    expect(evaluateStudies(repeated.facts.facts(), undefined, 'original').map((f) => f.ruleId)).not.toContain('uids.duplicate-sop');
  });
});
