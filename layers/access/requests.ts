/**
 * Data-access requests: the rules a request, a decision and a grant follow.
 * Pure: the handlers load the records and store the outcome.
 */
import type { Caller } from './caller';
import type { Project } from '../catalog/commons-entities';
import { inScope, type Scope } from './data';

export const DEFAULT_GRANT_DAYS = 365;
export const MAX_GRANT_DAYS = 3 * 365;

export type RequestCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What a researcher is told about a project that does not exist, or that they may never see (a sequestered one). */
export const NO_SUCH_PROJECT = 'no such project';

export type ProjectRequestCheck =
  | RequestCheck
  | {
      readonly ok: false;
      readonly reason: string;
      /**
       * The requester is answered as if the project did not exist (404, NO_SUCH_PROJECT):
       * it does not, or it is sequestered, and researchers are never shown sequestered
       * projects, not even through a refusal. The basis says which, for the audit only.
       */
      readonly unseen: 'not-found' | 'sequestered';
    };

/** A project request: only restricted projects are requested; sequestered data is never granted to researchers. */
export function checkProjectRequest(project: Pick<Project, 'projectId' | 'availability'> | undefined): ProjectRequestCheck {
  if (!project) return { ok: false, reason: NO_SUCH_PROJECT, unseen: 'not-found' };
  if (project.availability === 'sequestered')
    return {
      ok: false,
      reason: `project ${project.projectId} is sequestered: its data is never granted to researchers`,
      unseen: 'sequestered',
    };
  if (project.availability === 'open') return { ok: false, reason: `project ${project.projectId} is open: no request is needed` };
  return { ok: true };
}

/**
 * A cohort request covers the cohort's studies in restricted projects (`matched`: the
 * projects of every study the cohort's filters match). Sequestered studies are never
 * part of it.
 *
 * Whether a request is needed is answered from what the requester may count (`counted`,
 * the count scope) only: while a restricted project is hidden from the requester's
 * counts, whether the cohort matches its studies is hidden too, so the request is taken
 * either way and reaches the DAC with what it really covers, possibly nothing. Only when
 * no restricted project is hidden can "no request is needed" be answered without telling
 * the requester anything they could not count themselves.
 */
export function cohortRequestProjects(
  matched: readonly string[],
  projects: ReadonlyMap<string, Pick<Project, 'availability'>>,
  counted: Scope,
): { ok: true; projects: string[] } | { ok: false; reason: string } {
  const restricted = [...new Set(matched)].filter((p) => projects.get(p)?.availability === 'restricted').sort();
  const anyHidden = [...projects].some(([id, p]) => p.availability === 'restricted' && !inScope(counted, id));
  if (restricted.length === 0 && !anyHidden)
    return { ok: false, reason: 'the cohort holds no restricted studies: no request is needed (sequestered studies are never granted)' };
  return { ok: true, projects: restricted };
}

/**
 * An access request as its requester sees it: without the projects a cohort request
 * covers, which may name restricted projects whose studies the requester may not count
 * (the DAC and admins see them). The grant, once approved, says what it opens.
 */
export function requestAsSeenByRequester<R extends { readonly cohortProjects?: readonly string[] }>(request: R): Omit<R, 'cohortProjects'> {
  const { cohortProjects: _covered, ...seen } = request;
  return seen;
}

/** The DUA the requester accepted must be the current one. */
export function checkDua(accepted: string, current: string): RequestCheck {
  return accepted === current ? { ok: true } : { ok: false, reason: `accept the current data use agreement, version ${current}` };
}

/** A DAC member never decides their own request (separation of duties). */
export function mayDecide(caller: Pick<Caller, 'subject'>, request: { readonly requester: string; readonly status: string }): RequestCheck {
  if (request.requester === caller.subject) return { ok: false, reason: 'a request cannot be decided by its requester' };
  if (request.status !== 'pending') return { ok: false, reason: `the request was already ${request.status}` };
  return { ok: true };
}

export function grantExpiry(now: Date, days = DEFAULT_GRANT_DAYS): { expiresAt: string; ttl: number } {
  const capped = Math.min(Math.max(days, 1), MAX_GRANT_DAYS);
  const at = new Date(now.getTime() + capped * 86_400_000);
  // DynamoDB TTL (epoch seconds) deletes the item some time after expiry; reads check expiresAt themselves.
  return { expiresAt: at.toISOString(), ttl: Math.floor(at.getTime() / 1000) };
}

/** The data use agreement version a request must accept (a deployment that changes its DUA changes this). */
export const CURRENT_DUA_VERSION = '2026-1';
