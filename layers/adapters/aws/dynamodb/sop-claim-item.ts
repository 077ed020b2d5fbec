import { qaKeys } from '../../../catalog/qa-keys';

/** A file's claim of a SOP Instance UID (under its study and series) with its de-identified copy's SHA-256. */
export interface SopClaimInput {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopUid: string;
  readonly sha256: string;
  readonly fileId: string;
  readonly submissionId: string;
  readonly at: string;
}

/**
 * The SOP claim's conditional put (`uids.duplicate-sop`): written where no file holds the UID, or where the holder has
 * the same bytes or is this file (a repeat). One shape for the claim alone (QaRepository.claimSop) and for a batch's
 * claims in one transaction (IntakeRepository.claimSopsTogether), so both refuse exactly the same files.
 */
export function sopClaimPut(table: string, claim: SopClaimInput) {
  return {
    TableName: table,
    Item: {
      ...qaKeys.sopClaim(claim.studyUid, claim.seriesUid, claim.sopUid),
      type: 'qa-sop-claim',
      sha256: claim.sha256,
      fileId: claim.fileId,
      submissionId: claim.submissionId,
      claimedAt: claim.at,
    },
    ConditionExpression: 'attribute_not_exists(pk) OR sha256 = :sha OR fileId = :file',
    ExpressionAttributeValues: { ':sha': claim.sha256, ':file': claim.fileId },
  };
}
