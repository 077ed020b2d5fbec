import {
  checkDua,
  checkProjectRequest,
  cohortRequestProjects,
  countScope,
  dataScope,
  decideStudy,
  grantExpiry,
  isGrantActive,
  listedProjects,
  contributingSitesOf,
  mayActOnSubmission,
  mayContributeTo,
  mayDecide,
  mayReadOwned,
  urlLifetimeSeconds,
  type AccessContext,
} from '../../../layers/access';
import type { Grant, Project } from '../../../layers/catalog/commons-entities';
import type { Caller } from '../../../layers/access/caller';

const NOW = new Date('2026-11-27T12:00:00Z');
const who = (groups: string[], subject = 'sub-1'): Caller => ({
  subject,
  username: subject,
  groups,
  uploaderSites: groups.filter((g) => g.startsWith('site-uploader:')).map((g) => g.slice(14)),
});
const project = (projectId: string, availability: Project['availability'], settings?: Project['settings']): Project => ({
  projectId,
  name: projectId,
  availability,
  createdBy: 'c',
  createdAt: '',
  updatedAt: '',
  ...(settings ? { settings } : {}),
});
const PROJECTS = [
  project('open-1', 'open'),
  project('restr-1', 'restricted'),
  project('restr-counted', 'restricted', { countsVisible: true }),
  project('seq-1', 'sequestered'),
];
const grant = (fields: Partial<Grant>): Grant => ({ subject: 'sub-1', grantedBy: 'dac-1', grantedAt: '2026-01-01T00:00:00Z', ...fields });
const ctx = (caller: Caller, grants: Grant[], cohortMembers: [string, string[]][] = []): AccessContext => ({
  caller,
  projects: new Map(PROJECTS.map((p) => [p.projectId, p])),
  grants,
  now: NOW,
  cohortMembers: new Map(cohortMembers.map(([id, uids]) => [id, new Set(uids)])),
});

describe('data decisions', () => {
  const researcher = who(['researcher']);

  it('lets a researcher get open studies, restricted ones only with a grant, sequestered ones never', () => {
    expect(decideStudy(ctx(researcher, []), { studyUid: '1', project: 'open-1' })).toEqual({ allowed: true, basis: 'open' });
    expect(decideStudy(ctx(researcher, []), { studyUid: '1', project: 'restr-1' })).toEqual({
      allowed: false,
      basis: 'restricted-without-grant',
    });
    expect(decideStudy(ctx(researcher, [grant({ grantId: 'g1', project: 'restr-1' })]), { studyUid: '1', project: 'restr-1' })).toEqual({
      allowed: true,
      basis: 'project-grant',
      grantId: 'g1',
    });
    expect(decideStudy(ctx(researcher, [grant({ project: 'seq-1' })]), { studyUid: '1', project: 'seq-1' })).toEqual({
      allowed: false,
      basis: 'sequestered',
    });
    expect(decideStudy(ctx(researcher, []), { studyUid: '1', project: 'nobody-knows' })).toEqual({
      allowed: false,
      basis: 'unknown-project',
    });
  });

  it('ignores an expired grant even before TTL deletes it', () => {
    const expired = grant({ project: 'restr-1', expiresAt: '2026-11-27T11:59:59Z' });
    expect(isGrantActive(expired, NOW)).toBe(false);
    expect(decideStudy(ctx(researcher, [expired]), { studyUid: '1', project: 'restr-1' }).allowed).toBe(false);
    expect(dataScope(researcher, PROJECTS, [expired], NOW)).toEqual(new Set(['open-1']));
  });

  it("lets a cohort grant open only that cohort's studies in the granted projects", () => {
    const g = grant({ grantId: 'g2', cohortId: 'c1', cohortProjects: ['restr-1'] });
    const c = ctx(researcher, [g], [['c1', ['in-cohort', 'seq-study']]]);
    expect(decideStudy(c, { studyUid: 'in-cohort', project: 'restr-1' })).toEqual({ allowed: true, basis: 'cohort-grant', grantId: 'g2' });
    expect(decideStudy(c, { studyUid: 'other', project: 'restr-1' }).allowed).toBe(false);
    expect(decideStudy(c, { studyUid: 'seq-study', project: 'seq-1' }).allowed).toBe(false);
    // A cohort grant does not put the project in the listing scope.
    expect(dataScope(researcher, PROJECTS, [g], NOW)).toEqual(new Set(['open-1']));
  });

  it('lets curators get everything, and nobody else by role alone', () => {
    expect(decideStudy(ctx(who(['curator']), []), { studyUid: '1', project: 'seq-1' })).toEqual({ allowed: true, basis: 'curator' });
    expect(dataScope(who(['curator']), PROJECTS, [], NOW)).toBe('all');
    for (const role of ['dac', 'admin', 'site-uploader:site-a'])
      expect(decideStudy(ctx(who([role]), []), { studyUid: '1', project: 'restr-1' }).allowed).toBe(false);
  });

  it('counts a restricted project that shows counts, without making its studies downloadable', () => {
    expect(countScope(researcher, PROJECTS, [], NOW)).toEqual(new Set(['open-1', 'restr-counted']));
    expect(decideStudy(ctx(researcher, []), { studyUid: '1', project: 'restr-counted' }).allowed).toBe(false);
  });

  it('lists open and restricted projects to researchers, never sequestered ones', () => {
    expect(listedProjects(PROJECTS).map((p) => p.projectId)).toEqual(['open-1', 'restr-1', 'restr-counted']);
  });
});

describe('record rules', () => {
  it("lets a site's uploaders act on its submissions, curators read them, nobody else", () => {
    const sub = { site: 'site-a' };
    expect(mayActOnSubmission(who(['site-uploader:site-a']), sub, 'write')).toBe(true);
    expect(mayActOnSubmission(who(['site-uploader:site-b']), sub, 'read')).toBe(false);
    expect(mayActOnSubmission(who(['curator']), sub, 'read')).toBe(true);
    expect(mayActOnSubmission(who(['curator']), sub, 'write')).toBe(false);
  });

  it('lets a site open submissions only in projects that list it, sequestered ones included', () => {
    const listsA = { sites: ['site-a'] };
    expect(mayContributeTo(who(['site-uploader:site-a']), listsA, 'site-a')).toBe(true);
    expect(mayContributeTo(who(['site-uploader:site-b']), listsA, 'site-b')).toBe(false);
    // Holding site-a's group does not let a caller submit as site-b, even where site-b is listed.
    expect(mayContributeTo(who(['site-uploader:site-a']), { sites: ['site-b'] }, 'site-b')).toBe(false);
    expect(mayContributeTo(who(['site-uploader:site-a']), {}, 'site-a')).toBe(false);
    expect(mayContributeTo(who(['curator']), listsA, 'site-a')).toBe(false);
  });

  it("names the caller's contributing sites, who alone may get the project key", () => {
    expect(contributingSitesOf(who(['site-uploader:site-a', 'site-uploader:site-c']), { sites: ['site-a', 'site-b'] })).toEqual(['site-a']);
    expect(contributingSitesOf(who(['site-uploader:site-b']), { sites: ['site-a'] })).toEqual([]);
    expect(contributingSitesOf(who(['curator']), { sites: ['site-a'] })).toEqual([]);
  });

  it('shows owned records to their owner, or to a level that sees all', () => {
    expect(mayReadOwned(who(['researcher'], 'a'), 'own', 'a')).toBe(true);
    expect(mayReadOwned(who(['researcher'], 'a'), 'own', 'b')).toBe(false);
    expect(mayReadOwned(who(['dac'], 'a'), 'all', 'b')).toBe(true);
  });
});

describe('access request rules', () => {
  it('refuses sequestered and open projects, with the reason; a sequestered one is unseen by the requester, like an unknown one', () => {
    expect(checkProjectRequest(project('seq-1', 'sequestered'))).toEqual({
      ok: false,
      reason: 'project seq-1 is sequestered: its data is never granted to researchers',
      unseen: 'sequestered',
    });
    expect(checkProjectRequest(project('open-1', 'open'))).toEqual({ ok: false, reason: 'project open-1 is open: no request is needed' });
    expect(checkProjectRequest(project('restr-1', 'restricted'))).toEqual({ ok: true });
    expect(checkProjectRequest(undefined)).toEqual({ ok: false, reason: 'no such project', unseen: 'not-found' });
  });

  it("requests only a cohort's restricted projects, never sequestered ones", () => {
    const map = new Map(PROJECTS.map((p) => [p.projectId, p]));
    expect(cohortRequestProjects(['open-1', 'seq-1', 'restr-1', 'restr-1'], map, 'all')).toEqual({ ok: true, projects: ['restr-1'] });
    expect(cohortRequestProjects(['open-1', 'seq-1'], map, 'all')).toMatchObject({ ok: false });
  });

  it('answers whether a cohort request is needed from what the requester may count, never from hidden studies', () => {
    const map = new Map(PROJECTS.map((p) => [p.projectId, p]));
    const hidingRestricted = new Set(['open-1']);
    // Whether or not the cohort matches studies of the hidden restricted project, the answer is the same.
    expect(cohortRequestProjects(['open-1', 'restr-1'], map, hidingRestricted)).toMatchObject({ ok: true });
    expect(cohortRequestProjects(['open-1'], map, hidingRestricted)).toEqual({ ok: true, projects: [] });
    expect(cohortRequestProjects(['open-1', 'seq-1'], map, hidingRestricted)).toEqual({ ok: true, projects: [] });
    // Nothing restricted hidden: the requester could count it all, so "not needed" tells nothing.
    expect(cohortRequestProjects(['open-1', 'seq-1'], map, new Set(['open-1', 'restr-1', 'restr-counted']))).toMatchObject({ ok: false });
  });

  it('needs the current DUA, a pending request, and a decider who is not the requester', () => {
    expect(checkDua('2025-1', '2026-1')).toMatchObject({ ok: false });
    expect(mayDecide({ subject: 'a' }, { requester: 'a', status: 'pending' })).toMatchObject({ ok: false });
    expect(mayDecide({ subject: 'b' }, { requester: 'a', status: 'approved' })).toMatchObject({ ok: false });
    expect(mayDecide({ subject: 'b' }, { requester: 'a', status: 'pending' })).toEqual({ ok: true });
  });

  it('expires grants after the days asked, capped at three years, with a TTL in epoch seconds', () => {
    expect(grantExpiry(NOW, 30)).toEqual({ expiresAt: '2026-12-27T12:00:00.000Z', ttl: Date.parse('2026-12-27T12:00:00Z') / 1000 });
    expect(Date.parse(grantExpiry(NOW, 100_000).expiresAt) - NOW.getTime()).toBe(3 * 365 * 86_400_000);
  });
});

describe('presigned URL lifetimes', () => {
  it('are 15 minutes by default, a minute longer per started 100 MB, capped at an hour', () => {
    expect(urlLifetimeSeconds(1_000)).toBe(960);
    expect(urlLifetimeSeconds(0)).toBe(900);
    expect(urlLifetimeSeconds(250_000_000)).toBe(900 + 3 * 60);
    expect(urlLifetimeSeconds(50_000_000_000)).toBe(3600);
    expect(urlLifetimeSeconds(1_000, { baseSeconds: 60, perHundredMbSeconds: 0, maxSeconds: 3600 })).toBe(60);
  });
});
