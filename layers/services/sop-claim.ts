import { intakeRepository } from './commons-context';
import { qaRepository } from './qa-context';

/** A claim of one SOP Instance UID (under its study and series) by a file, with its de-identified copy's SHA-256. */
export type SopClaim = Parameters<ReturnType<typeof qaRepository>['claimSop']>[0];

/**
 * The one way a file claims its SOP Instance UID before it may be staged (ingest QA and the
 * admission of a file from quarantine both come here). The claim is a conditional write: the first file (or the
 * same bytes again) holds the UID. A holder that never reached the released bucket (quarantined,
 * missing) gives way. Returns the holder's file id on a conflict, undefined when this file may stage.
 */
export async function claimSopUid(claim: SopClaim): Promise<string | undefined> {
  const first = await qaRepository().claimSop(claim);
  if (first.claimed) return undefined;
  const holder = await intakeRepository().getFile(first.holder.submissionId, first.holder.fileId);
  if (
    holder &&
    (holder.status === 'quarantined' || holder.status === 'missing') &&
    (await qaRepository().takeOverSop(claim, first.holder.fileId))
  )
    return undefined;
  return first.holder.fileId;
}
