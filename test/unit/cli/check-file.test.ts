import { checkOriginal, keptCopies } from '../../../cli/lib/check-file';
import { DEFAULT_PROFILE } from '../../../layers/dicom';
import { processInstanceWithPixelCheck } from '../../../layers/ingest/process-instance';
import { loadQaConfig } from '../../../layers/qa';
import { CT_RESCALE, goodCt } from '../qa/support';

const config = loadQaConfig({ burnedInText: { enabled: false } });
const key = { secret: 'a project secret of the commons, 32+ chars', project: 'project-a', site: 'site-a', profile: DEFAULT_PROFILE };

describe("checkOriginal: each file's copy in this thread's kept memory", () => {
  it('gives each file the findings of a copy in new memory, one buffer serving file after file', async () => {
    const files = [
      goodCt({ rows: 64, columns: 64, patient: { id: 'KEPT-1', name: 'KEPT^ONE' } }),
      goodCt({ rows: 16, columns: 16, patient: { id: 'KEPT-2' }, elements: { ...CT_RESCALE, '00280301': { vr: 'CS', Value: ['YES'] } } }),
      goodCt({ rows: 48, columns: 48, patient: { id: 'KEPT-3' } }),
    ];
    const lease = jest.spyOn(keptCopies, 'lease');
    const allocatedBefore = keptCopies.allocated;
    for (const original of files) {
      const fresh = await processInstanceWithPixelCheck(original, { key, deidentifiedAtSite: false, config });
      expect(await checkOriginal(original, config, key)).toEqual(fresh.findings);
    }
    expect(lease).toHaveBeenCalledTimes(files.length);
    expect(keptCopies.allocated - allocatedBefore).toBeLessThanOrEqual(1);
  });
});
