import type { FacetName } from '../../lib/query-state';

/** What each search facet is called on screen; a facet added to the API later shows under its own name until named here. */
const FACET_LABELS: Partial<Record<FacetName, string>> = {
  project: 'Project',
  site: 'Site',
  release: 'Release',
  modality: 'Modality',
  bodyPart: 'Body part',
  sex: 'Sex',
  ageBand: 'Age band',
  race: 'Race',
  ethnicity: 'Ethnicity',
  covid19: 'COVID-19',
  manufacturer: 'Manufacturer',
  viewPosition: 'View position',
  sliceThickness: 'Slice thickness',
};

export function facetLabel(facet: FacetName): string {
  return FACET_LABELS[facet] ?? facet.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}
