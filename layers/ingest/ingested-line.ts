import type { DeidentifiedInstance } from './process-instance';

/**
 * The one INFO line an ingested object logs at its outcome (`ingested`), instead of one line per step: in AWS
 * each line repeats the logger's keys and the trace id (about 300 bytes), which for four lines per object was a
 * tenth of the object's cost target in CloudWatch Logs alone (docs/ingest-scale.md).
 *
 * Ids, codes, counts and rule ids only. The two values read from the file, the modality and the transfer syntax,
 * are codes the released copy keeps as they are (the profiles retain both), so the line tells nothing that
 * publication does not; every other value stays out, the OCR's text included (boxes and classes are counted).
 */
export interface IngestedFacts {
  readonly submissionId: string;
  readonly fileId: string;
  readonly bytes: number;
  readonly modality?: string;
  readonly transferSyntaxUid: string;
  readonly profile: string;
  readonly deid: Pick<
    DeidentifiedInstance,
    'outcome' | 'pixelReview' | 'actionCounts' | 'keptAsReceived' | 'textRegions' | 'cleanedLayout' | 'pixelsCleared'
  >;
  readonly qa: { readonly outcome: string; readonly findings: readonly { readonly ruleId: string }[] };
}

/** The line's fields: the object's outcome, and each step's codes and counts, empty ones left out. */
export function ingestedLineFields(outcome: 'staged' | 'quarantine', facts: IngestedFacts): Record<string, unknown> {
  const { deid, qa } = facts;
  return {
    submissionId: facts.submissionId,
    fileId: facts.fileId,
    outcome,
    ...(facts.modality ? { modality: facts.modality } : {}),
    transferSyntaxUid: facts.transferSyntaxUid,
    bytes: facts.bytes,
    profile: facts.profile,
    deid: deid.outcome,
    ...(deid.keptAsReceived ? { keptAsReceived: true } : { actions: actionsOf(deid.actionCounts) }),
    ...(deid.pixelReview.length > 0 ? { pixelReview: [...deid.pixelReview] } : {}),
    ...(deid.cleanedLayout ? { cleanedLayout: deid.cleanedLayout, pixelsCleared: deid.pixelsCleared === true } : {}),
    ...(deid.textRegions?.length ? { textRegions: deid.textRegions.length } : {}),
    qa: qa.outcome,
    ...(qa.findings.length > 0 ? { rules: qa.findings.map((f) => f.ruleId) } : {}),
    warnings: qa.findings.length,
  };
}

/**
 * The de-identification's counts by action (`X`, `Z`, `D`, `U`, `pseudonym`, `shift`, ...), summed over the
 * keywords: what an operator compares across objects, in a few bytes; the counts per keyword stay in the
 * execution state (`$.ingest.deid.actionCounts`).
 */
function actionsOf(counts: Readonly<Record<string, number>>): Record<string, number> {
  const byAction: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts)) {
    const action = key.slice(key.lastIndexOf(':') + 1);
    byAction[action] = (byAction[action] ?? 0) + n;
  }
  return byAction;
}
