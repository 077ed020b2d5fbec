/**
 * Record-level rules: whose submissions, cohorts, requests and grants a caller may
 * act on. A record the caller may not act on is answered 404 (not 403), so ids
 * cannot be probed; the route gate has already answered 403 to wrong roles.
 */
import type { Caller } from './caller';
import type { Submission } from '../catalog/entities';
import type { Project } from '../catalog/commons-entities';
import { holds } from './roles';
import type { Level } from './matrix';

type Who = Pick<Caller, 'subject' | 'groups' | 'uploaderSites'>;

/** Site uploaders of the submission's site; curators may read. */
export function mayActOnSubmission(caller: Who, submission: Pick<Submission, 'site'>, mode: 'read' | 'write'): boolean {
  if (caller.uploaderSites.includes(submission.site)) return true;
  return mode === 'read' && holds(caller, 'curator');
}

/** May the caller open a submission for this site? */
export function mayUploadFor(caller: Who, site: string): boolean {
  return caller.uploaderSites.includes(site);
}

/**
 * May the caller open a submission for this site in this project? The caller must
 * upload for the site, and the project must list the site as a contributor: a site
 * contributes only where a curator said it does, sequestered projects included.
 */
export function mayContributeTo(caller: Who, project: Pick<Project, 'sites'>, site: string): boolean {
  return mayUploadFor(caller, site) && (project.sites ?? []).includes(site);
}

/** The caller's sites that contribute to the project (who may get its de-identification key). */
export function contributingSitesOf(caller: Who, project: Pick<Project, 'sites'>): string[] {
  return caller.uploaderSites.filter((site) => (project.sites ?? []).includes(site));
}

/** A record with an owner (a cohort, an access request, a grant): its owner, or anyone the route lets see all. */
export function mayReadOwned(caller: Who, level: Level, owner: string): boolean {
  return level === 'all' || owner === caller.subject;
}
