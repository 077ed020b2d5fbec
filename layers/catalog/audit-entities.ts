/** The audit log's events (who, when, what, why) and the filter `GET /audit` reads them by (docs/access.md). Pure types. */

export interface AuditEvent {
  readonly eventId: string;
  /** The caller's subject (Cognito `sub`) or `system:<function>`. */
  readonly actor: string;
  /** A dotted verb: `quarantine.release`, `quarantine.reject`, `qa.config.update`, ... */
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly at: string;
  /** The written reason a curator gave, when the action takes one. */
  readonly reason?: string;
  /** Ids, rule ids, outcomes: never a DICOM value. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The caller's username (Cognito `cognito:username`), when a person acted. */
  readonly actorName?: string;
  /** Where the request came from: the source IP API Gateway saw. */
  readonly sourceIp?: string;
  /** Access decisions: allowed or denied. */
  readonly outcome?: 'allowed' | 'denied';
}

export interface AuditFilter {
  readonly actor?: string;
  readonly action?: string;
  /** `targetType:targetId` (e.g. `study:2.25.1`, `grant:<id>`), or a target type alone. */
  readonly resource?: string;
  /** ISO timestamps, inclusive. */
  readonly from?: string;
  readonly to?: string;
}

export type NewAuditEvent = Omit<AuditEvent, 'eventId' | 'at'> & { readonly at?: string };
