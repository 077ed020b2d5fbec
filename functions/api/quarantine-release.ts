import { z } from 'zod';
import { BadRequest, Conflict, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { renderReportMarkdown, ruleById } from '../../layers/qa';
import { auditLog, buckets, objects, intakeRepository } from '../../layers/services/commons-context';
import { qaRepository } from '../../layers/services/qa-context';
import { admitFromQuarantine, recheckQuarantined } from '../../layers/services/quarantine-admission';
import { submissionReport } from '../../layers/services/submission-qa-report';
import { storeReport } from '../../layers/services/store-qa-report';
import { quarantinePath } from './quarantine-get';
import { OwnershipConflict } from '../../layers/catalog/ownership';
import { refreshLiveStudies } from '../../layers/services/refresh-live-snapshot';

/**
 * POST /quarantine/{id}/release (curators), body `{reason, override?: ruleIds[]}`:
 * re-runs de-identification, verification and QA on the quarantined file and
 * publishes it if it passes now, or if every remaining blocking finding is of an
 * overridable rule the curator named (pixel review, warn-level rules a project
 * raised). The verifier, the parser and UID conflicts can never be overridden.
 * Every attempt, refused or not, is audited. Inside the code this is "admitting
 * from quarantine" (layers/services/quarantine-admission.ts), never a bare
 * "release", which names a data release (POST /releases); the path, the audit
 * actions and the record's `released` status keep the API's word.
 */
export const handler = httpHandler(
  {
    path: quarantinePath,
    body: z
      .object({
        reason: z.string().trim().min(3).max(2000),
        override: z
          .array(z.string().regex(/^[A-Za-z0-9.-]{1,64}$/))
          .max(50)
          .default([]),
      })
      .strict(),
  },
  async function releaseQuarantined({ caller, path, body }) {
    const unknown = body.override.filter((id) => !ruleById(id));
    if (unknown.length) throw new BadRequest(`unknown rule id(s): ${unknown.join(', ')}`);
    const fixed = body.override.filter((id) => !ruleById(id)?.overridable);
    if (fixed.length) throw new BadRequest(`rule(s) that can never be overridden: ${fixed.join(', ')}`);

    const record = await qaRepository().getQuarantine(path.quarantineId);
    if (!record) throw new NotFound('no such quarantine record');
    if (record.status !== 'quarantined') throw new Conflict(`the file was already ${record.status}`);
    const submission = await intakeRepository().getSubmission(record.submissionId);
    const bytes = await objects().getBytes(buckets.quarantine(), record.objectKey);
    if (!submission || !bytes) throw new Conflict('the quarantined object is no longer available');

    const at = new Date().toISOString();
    const audit = (action: string, details: Record<string, unknown>) =>
      auditLog().append({
        actor: caller.subject,
        action,
        targetType: 'quarantine',
        targetId: record.quarantineId,
        at,
        reason: body.reason,
        details: { fileId: record.fileId, submissionId: record.submissionId, overrides: body.override, ...details },
      });

    const check = await recheckQuarantined(record, submission, bytes, body.override);
    if (!check.ok) {
      const rules = [...new Set(check.blocking.map((f) => f.ruleId))];
      await audit('quarantine.release-refused', { blockingRules: rules });
      throw new Conflict(
        `the file still fails: ${rules.join(', ')}${rules.some((r) => ruleById(r)?.overridable) ? ' (overridable rules must be named in override)' : ''}`,
      );
    }
    // The recheck found no ownership conflict; a file racing into the same UIDs meanwhile is refused here.
    const outcome = await admitFromQuarantine(record, submission, check, at).catch(async (error: unknown) => {
      if (!(error instanceof OwnershipConflict)) throw error;
      await audit('quarantine.release-refused', { blockingRules: ['OwnershipConflict'] });
      throw new Conflict('the file still fails: OwnershipConflict');
    });
    if (!outcome.restored) throw new Conflict('the file was released by someone else meanwhile');
    await qaRepository().reviewQuarantine(record.quarantineId, {
      action: 'released',
      by: caller.subject,
      at,
      reason: body.reason,
      overrides: body.override,
    });
    await audit('quarantine.release', {
      studyUid: check.ids.studyUid,
      published: outcome.published,
      findings: check.findings.map((f) => f.ruleId),
    });
    // Searchable now, as the submission workflow's RebuildSnapshot does, not at the next release cut.
    // Last, once the decision is recorded: a failure leaves the study to the next release cut, never the admission half done.
    const searchable =
      outcome.published &&
      (await refreshLiveStudies([check.ids.studyUid], 4).then(
        () => true,
        (error: unknown) => {
          logger.warn('released study not yet in the search snapshot', {
            quarantineId: record.quarantineId,
            error: error instanceof Error ? error.name : 'unknown',
          });
          return false;
        },
      ));

    // Keep the site's stored report true to the decision.
    const current = await intakeRepository().getSubmission(record.submissionId);
    if (current?.status === 'published') {
      const report = await submissionReport(current, at);
      await storeReport(report, renderReportMarkdown(report));
    }
    logger.info('quarantine released', {
      quarantineId: record.quarantineId,
      submissionId: record.submissionId,
      overrides: body.override.length,
      published: outcome.published,
    });
    return {
      statusCode: 200,
      body: {
        quarantineId: record.quarantineId,
        status: 'released',
        studyUid: check.ids.studyUid,
        published: outcome.published,
        searchable,
        overrides: body.override,
      },
    };
  },
);
