/**
 * Who a study belongs to. A study is claimed for exactly one project and one site
 * by the first instance staged into it; its series and SOP Instance UIDs are
 * claimed for it at the same time. The claims are conditional writes made before
 * the staging write, in claim order (the intake repository,
 * layers/adapters/aws/dynamodb/), so of two instances racing to create a study
 * only one wins, and a claim is never moved: nothing a later file says can
 * change which project (and so which researchers) a study belongs to. Pure: the rules and the named errors, no AWS here.
 */

/** The project and site a study belongs to from its first staged instance. */
export interface StudyOwner {
  readonly project: string;
  readonly site: string;
}

/** What an instance claims: its study for its project and site, its series for its study, its SOP for its series. */
export interface InstanceClaim extends StudyOwner {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
}

/** Which claim an instance ran into: the study (another project or site), the series (another study), the SOP (another series or study). */
export type OwnershipConflictKind = 'study' | 'series' | 'sop';

const CONFLICT_MESSAGES: Readonly<Record<OwnershipConflictKind, string>> = {
  study: 'the file would join a study that belongs to another project or site',
  series: "the file's series belongs to another study",
  sop: "the file's SOP Instance UID belongs to another series or study",
};

/**
 * A file would join what another project, site, study or series owns: it is
 * quarantined, never merged. The message is value-free (no UID, project or site),
 * so it may be recorded as a quarantine reason and shown to the submitting site.
 */
export class OwnershipConflict extends Error {
  override readonly name = 'OwnershipConflict';
  constructor(readonly conflict: OwnershipConflictKind) {
    super(CONFLICT_MESSAGES[conflict]);
  }
}

/**
 * A study's stored records disagree about its owner (instances of several
 * projects or sites, or a submission of another project naming it): indexing
 * and publication refuse rather than pick one. Staging's conditional claims make
 * this unreachable for data staged since they exist; it guards older data.
 */
export class StudyOwnershipInconsistent extends Error {
  override readonly name = 'StudyOwnershipInconsistent';
}

export function sameOwner(a: StudyOwner, b: StudyOwner): boolean {
  return a.project === b.project && a.site === b.site;
}

/** What an instance's claims would meet, as stored: the study's owner, the series' study, the SOP's study and series. */
export interface HeldClaims {
  readonly study: Partial<StudyOwner> | undefined;
  readonly series: { readonly studyUid: string } | undefined;
  readonly object: { readonly studyUid: string; readonly seriesUid: string } | undefined;
}

/** The first claim (in claim order: study, series, SOP) that another owner holds; undefined when the instance may claim all three. */
export function firstConflict(claim: InstanceClaim, held: HeldClaims): OwnershipConflictKind | undefined {
  const { study, series, object } = held;
  if (study?.project !== undefined && (study.project !== claim.project || study.site !== claim.site)) return 'study';
  if (series && series.studyUid !== claim.studyUid) return 'series';
  if (object && (object.studyUid !== claim.studyUid || object.seriesUid !== claim.seriesUid)) return 'sop';
  return undefined;
}

/**
 * Which of an instance's claims are already its own, as stored. Claims are never moved or removed (the study's
 * owner is set only if absent, a series' and a SOP's entries are only ever re-put with the same study and
 * series), so a claim seen held, even by an eventually consistent read, stays held: a write that would
 * re-assert it may be left out. Not seen held (absent, another's, or a stale read): it is claimed as usual.
 */
export function ownClaims(claim: InstanceClaim, held: HeldClaims): { study: boolean; series: boolean; sop: boolean } {
  const { study, series, object } = held;
  return {
    study: study?.project === claim.project && study.site === claim.site,
    series: series?.studyUid === claim.studyUid,
    sop: object?.studyUid === claim.studyUid && object.seriesUid === claim.seriesUid,
  };
}

/** Throws StudyOwnershipInconsistent unless every record names the owner. */
export function assertOwnedBy(owner: StudyOwner, records: readonly StudyOwner[]): void {
  if (records.some((r) => !sameOwner(r, owner))) {
    throw new StudyOwnershipInconsistent('a study holds records of another project or site; it is not indexed or published');
  }
}
