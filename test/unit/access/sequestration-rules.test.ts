/**
 * The access rules of a project that sequesters part of its cases: a researcher gets only the
 * studies a release assigned open (files, objects, listings through decideStudy; search, cohort
 * counts through the withheld-row mask; release counts through the open counts). Curators get all.
 */
import { decideStudy, releaseCountsFor, type AccessContext } from '../../../layers/access';
import type { Caller } from '../../../layers/access/caller';
import type { Project } from '../../../layers/catalog/commons-entities';
import { buildSnapshot, matchingRows, search, withheldRows, type StudyRow } from '../../../layers/search';

const who = (groups: string[]): Caller => ({ subject: 's', username: 's', groups, uploaderSites: [] });
const researcher = who(['researcher']);
const curator = who(['curator']);
const project = (projectId: string, settings?: Project['settings']): Project => ({
  projectId,
  name: projectId,
  availability: 'open',
  createdBy: 'c',
  createdAt: '',
  updatedAt: '',
  ...(settings ? { settings } : {}),
});
const SPLIT = project('split', { sequestrationShare: 0.2 });
const PLAIN = project('plain');
const ctx = (caller: Caller, openStudies?: Map<string, Set<string>>): AccessContext => ({
  caller,
  projects: new Map([SPLIT, PLAIN].map((p) => [p.projectId, p])),
  grants: [],
  cohortMembers: new Map(),
  now: new Date('2026-12-06T00:00:00Z'),
  ...(openStudies ? { openStudies } : {}),
});

describe('decideStudy in a project that sequesters', () => {
  const open = new Map([['split', new Set(['2.25.1'])]]);

  it('gives a researcher a study a release assigned open', () => {
    expect(decideStudy(ctx(researcher, open), { studyUid: '2.25.1', project: 'split' })).toEqual({ allowed: true, basis: 'open' });
  });

  it("withholds a sequestered case's study, and a study no release assigned yet, as sequestered", () => {
    expect(decideStudy(ctx(researcher, open), { studyUid: '2.25.2', project: 'split' })).toEqual({ allowed: false, basis: 'sequestered' });
  });

  it('fails closed: without the open sets, nothing of the project is shown', () => {
    expect(decideStudy(ctx(researcher), { studyUid: '2.25.1', project: 'split' })).toEqual({ allowed: false, basis: 'sequestered' });
  });

  it('leaves projects that do not sequester, and curators, as they were', () => {
    expect(decideStudy(ctx(researcher, open), { studyUid: '2.25.9', project: 'plain' }).allowed).toBe(true);
    expect(decideStudy(ctx(curator), { studyUid: '2.25.2', project: 'split' })).toEqual({ allowed: true, basis: 'curator' });
  });
});

describe('withheld rows in search', () => {
  const row = (studyUid: string, projectId: string, sex: string): StudyRow => ({
    studyUid,
    project: projectId,
    site: 'site-a',
    modalities: ['CT'],
    bodyParts: [],
    manufacturers: [],
    viewPositions: [],
    sliceThicknessBands: [],
    sex,
    publishedAt: '2026-12-01T00:00:00Z',
  });
  const snapshot = buildSnapshot([
    row('2.25.1', 'split', 'Female'),
    row('2.25.2', 'split', 'Male'),
    row('2.25.3', 'split', 'Male'),
    row('2.25.4', 'plain', 'Female'),
  ]);
  const mask = withheldRows(snapshot, new Map([['split', new Set(['2.25.1'])]]));

  it('counts and lists no withheld study in the total, a facet or a page', () => {
    const result = search(snapshot, {}, { scope: new Set(['split', 'plain']), limit: 10, ...(mask ? { withheld: mask } : {}) });
    expect(result.total).toBe(2);
    expect(result.studies.map((s) => s.studyUid).sort()).toEqual(['2.25.1', '2.25.4']);
    expect(result.facets.sex).toEqual([{ value: 'Female', count: 2 }]);
    expect(result.facets.project.find((f) => f.value === 'split')).toEqual({ value: 'split', count: 1 });
    expect(matchingRows(snapshot, {}, 'all', mask)).toHaveLength(2);
  });

  it('withholds nothing when no project in the snapshot sequesters', () => {
    expect(withheldRows(snapshot, new Map())).toBeUndefined();
    expect(withheldRows(snapshot, new Map([['elsewhere', new Set<string>()]]))).toBeUndefined();
  });
});

describe('release counts', () => {
  const release = {
    studyCount: 10,
    seriesCount: 20,
    instanceCount: 100,
    totalBytes: 1000,
    projects: [{ project: 'split', studyCount: 10, seriesCount: 20, instanceCount: 100, totalBytes: 1000 }],
    openProjects: [{ project: 'split', studyCount: 8, seriesCount: 16, instanceCount: 80, totalBytes: 800 }],
  };

  it('count for a researcher only the studies the split kept open; a curator sees everything', () => {
    expect(releaseCountsFor(release, new Set(['split']))).toEqual({ studyCount: 8, seriesCount: 16, instanceCount: 80, totalBytes: 800 });
    expect(releaseCountsFor(release, 'all')).toMatchObject({ studyCount: 10, projects: release.projects });
  });
});
