import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The sample data `hilum start` ingests into a fresh local commons: every folder of samples/
 * holding .dcm files is one site's submission (public test files, provenance in samples/README.md),
 * so Explore's charts show several modalities, studies and sites. Sites are the demo project's two.
 */
export const SAMPLE_PROJECT = 'demo';
export const SAMPLE_SITES = ['demo-site', 'demo-site-b'] as const;
/** The demo project's QA scope: the default (CR, DX, CT) and MR, which samples/mr-small is. */
export const SAMPLE_MODALITIES = ['CR', 'DX', 'CT', 'MR'] as const;

/** Folders submitted by the second site (the rest by the first): two bars in "studies by site". */
const SECOND_SITE_FOLDERS: ReadonlySet<string> = new Set(['ct-small', 'mr-small']);

export interface SampleSubmission {
  readonly folder: string;
  readonly site: string;
  /** Absolute paths of the folder's .dcm files, sorted. */
  readonly files: readonly string[];
}

/** One submission per folder of `root` that holds .dcm files, in folder order. */
export async function sampleSubmissions(root: string): Promise<SampleSubmission[]> {
  const folders = (await readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const out: SampleSubmission[] = [];
  for (const folder of folders) {
    const files = (await readdir(join(root, folder)))
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => join(root, folder, f));
    if (files.length === 0) continue;
    out.push({ folder, site: SECOND_SITE_FOLDERS.has(folder) ? SAMPLE_SITES[1] : SAMPLE_SITES[0], files });
  }
  return out;
}
