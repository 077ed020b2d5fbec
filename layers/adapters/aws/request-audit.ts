import { documentClient } from './clients';
import { lazyConfig, requireEnv } from '../../common/config';
import { ENV } from '../../common/env-names';
import type { Caller } from '../../access/caller';
import { AuditLog } from './dynamodb/audit-log';
import type { NewAuditEvent } from '../../catalog/audit-entities';

/**
 * What one API request decided, for the audit log: the route decision (allowed or
 * denied), the resource it was about (a study, an object, a grant...) with the
 * basis of a data decision, and the events the handler recorded (grant changes,
 * URLs issued, archives served). Ids and UIDs of de-identified data only.
 */
export class RequestAudit {
  caller: Caller | undefined;
  private target: { type: string; id: string } | undefined;
  private denied: string | undefined;
  private basis: string | undefined;
  private readonly events: NewAuditEvent[] = [];

  constructor(
    readonly route: string,
    readonly sourceIp: string | undefined,
  ) {}

  /** The resource this request is about (the target of its access event). */
  resource(type: string, id: string, basis?: string): void {
    this.target = { type, id };
    if (basis) this.basis = basis;
  }

  /** The request was denied (a wrong role, or data the caller may not get, answered 404). */
  deny(basis: string, resource?: { type: string; id: string }): void {
    this.denied = basis;
    if (resource) this.target = resource;
  }

  /**
   * The handler chain's basis for a refusal (401, 403): the error's name, recorded only
   * when the handler did not deny with its own, more precise basis (`own-request`,
   * `site-not-a-contributor`...), which the audit must keep.
   */
  denyUnlessExplained(basis: string): void {
    this.denied ??= basis;
  }

  /** A further event: `grant.create`, `download.url`, `archive.served`, ... */
  record(event: Omit<NewAuditEvent, 'actor' | 'actorName' | 'sourceIp'>): void {
    this.events.push({
      ...event,
      actor: this.actor(),
      ...(this.caller ? { actorName: this.caller.username } : {}),
      ...(this.sourceIp ? { sourceIp: this.sourceIp } : {}),
    });
  }

  actor(): string {
    return this.caller?.subject ?? 'anonymous';
  }

  /** The events to append: the access decision first. */
  toEvents(status: number): NewAuditEvent[] {
    const outcome = this.denied || status === 401 || status === 403 ? 'denied' : 'allowed';
    const decision: NewAuditEvent = {
      actor: this.actor(),
      ...(this.caller ? { actorName: this.caller.username } : {}),
      ...(this.sourceIp ? { sourceIp: this.sourceIp } : {}),
      action: `access.${outcome}`,
      outcome,
      targetType: this.target?.type ?? 'route',
      targetId: this.target?.id ?? this.route,
      details: { route: this.route, status, ...(this.denied ? { basis: this.denied } : this.basis ? { basis: this.basis } : {}) },
    };
    return [decision, ...(outcome === 'allowed' || status < 400 ? this.events : this.events.filter((e) => e.action !== 'download.url'))];
  }
}

export interface AuditSink {
  flush(audit: RequestAudit, status: number): Promise<void>;
}

/** The catalog table's audit log; every API function has the table and may append audit items. */
export const auditSink = lazyConfig((): AuditSink => {
  const log = new AuditLog(documentClient(), requireEnv(ENV.catalogTable));
  return {
    async flush(audit, status) {
      await Promise.all(audit.toEvents(status).map((event) => log.append(event)));
    },
  };
});
