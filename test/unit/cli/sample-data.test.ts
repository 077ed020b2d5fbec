import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_QA_CONFIG, loadQaConfig } from '../../../layers/qa';
import { parseDicom } from '../../../layers/dicom';
import { SAMPLE_MODALITIES, SAMPLE_SITES, sampleSubmissions } from '../../../cli/lib/sample-data';

const SAMPLES = join(__dirname, '../../../samples');

describe('the sample data hilum start ingests (samples/)', () => {
  it('submits every folder of samples/ with every .dcm file in it, from both demo sites', async () => {
    const plan = await sampleSubmissions(SAMPLES);
    const folders = readdirSync(SAMPLES, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(plan.map((s) => s.folder).sort()).toEqual(folders.sort());
    for (const sample of plan)
      expect(sample.files.map((f) => basename(f)).sort()).toEqual(
        readdirSync(join(SAMPLES, sample.folder))
          .filter((f) => f.endsWith('.dcm'))
          .sort(),
      );
    expect(new Set(plan.map((s) => s.site))).toEqual(new Set(SAMPLE_SITES));
  });

  it("has studies of more than one modality, all in the demo project's QA scope, and names each file in samples/README.md", async () => {
    const plan = await sampleSubmissions(SAMPLES);
    const readme = readFileSync(join(SAMPLES, 'README.md'), 'utf8');
    const modalities = new Set<string>();
    const studies = new Set<string>();
    for (const file of plan.flatMap((s) => s.files)) {
      const { summary } = parseDicom(new Uint8Array(readFileSync(file)));
      modalities.add(summary.modality!);
      studies.add(summary.studyInstanceUid);
      expect(readme).toContain(basename(file));
    }
    expect(modalities.size).toBeGreaterThan(1);
    expect(studies.size).toBeGreaterThanOrEqual(4);
    const scope = loadQaConfig({ modalities: [...SAMPLE_MODALITIES] }).modalities;
    for (const m of modalities) expect(scope).toContain(m);
    // The demo project widens the default scope rather than replacing it.
    for (const m of DEFAULT_QA_CONFIG.modalities) expect(scope).toContain(m);
  });
});
