/** Data-access requests and grant records (docs/access.md). Pure types. */
import type { Grant } from './commons-entities';

export type AccessRequestStatus = 'pending' | 'approved' | 'denied';

export interface AccessRequest {
  readonly requestId: string;
  /** The requester's subject (Cognito `sub`) and username. */
  readonly requester: string;
  readonly requesterName: string;
  /** What is requested: a restricted project, or the studies of one of the requester's cohorts. */
  readonly project?: string;
  readonly cohortId?: string;
  /** Cohort requests: the restricted projects whose studies of the cohort are requested. */
  readonly cohortProjects?: readonly string[];
  /** The research purpose, in the requester's words (not PHI: the form says so). */
  readonly purpose: string;
  /** The data use agreement version the requester accepted. */
  readonly duaVersion: string;
  readonly status: AccessRequestStatus;
  readonly createdAt: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly reason?: string;
  /** Approved: the grant it created. */
  readonly grantId?: string;
  readonly expiresAt?: string;
}

/** A grant as the DAC sees it: the user's grant with its id and whether it still holds. */
export interface GrantRecord extends Grant {
  readonly grantId: string;
  readonly status: 'active' | 'revoked';
  readonly revokedBy?: string;
  readonly revokedAt?: string;
  readonly revokeReason?: string;
}
