import type { Instance, Submission } from '../catalog/entities';
import type { QuarantineRecord } from '../catalog/qa-entities';
import { instanceCatalogFields } from '../catalog/dicom-fields';
import { profileForProject, scanPart10 } from '../dicom';
import { checkInstance, duplicateSopFinding, processInstance, sopClaimOf, VERIFIED, type InstanceCheck } from '../ingest/process-instance';
import { recordedFactsOf, ruleById, type Finding } from '../qa';
import { DatasetView, QA_TAG } from '../qa/dataset-view';
import { sha256Of } from '../common/digest';
import { toHex } from '../common/bytes';
import { buckets, deidKeyFor, intakeRepository, objects, publicationRepository, studyIndexStore } from './commons-context';
import { releasedKey } from '../pipeline/object-keys';
import { projectQaConfig, qaRepository } from './qa-context';
import { claimSopUid } from './sop-claim';
import { OwnershipConflict, type StudyOwner } from '../catalog/ownership';
import { indexStudy } from './study-index';

/** What re-checking a quarantined file found: its de-identified bytes, findings and UIDs if it may be admitted, else the blocking findings. */
export type QuarantineRecheck =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      /** Its SHA-256, computed once for the SOP claim here and the PUT's checksum and the catalog at admission. */
      readonly sha256: Uint8Array;
      readonly findings: readonly Finding[];
      readonly ids: { studyUid: string; seriesUid: string; sopUid: string };
    }
  | { readonly ok: false; readonly blocking: readonly Finding[] };

/**
 * Re-runs the pipeline's checks on a quarantined file: for an original (PHI)
 * upload, de-identify -> verify -> instance QA with the ingest workflow's own steps
 * (`processInstance`; a file the site de-identified is kept as received and its shape
 * verified, as the workflow does: the engine again would remap its UIDs a second time);
 * for a de-identified copy a study rule sent back, instance QA again and
 * the study findings it was quarantined for. Blocking findings the curator did
 * not override (and the verifier's, which nobody can) stop the admission, as does
 * an ownership conflict (`OwnershipConflict`: the file would join a study, series
 * or SOP UID of another project, site or study), which nobody can override either.
 */
export async function recheckQuarantined(
  record: QuarantineRecord,
  submission: Submission,
  bytes: Uint8Array,
  overrides: readonly string[],
): Promise<QuarantineRecheck> {
  const config = await projectQaConfig(submission.project);
  let output = bytes;
  let checked: InstanceCheck;
  let findings: Finding[];
  if (record.objectKind === 'original') {
    const key = {
      secret: await deidKeyFor(submission),
      project: submission.project,
      site: submission.site,
      profile: profileForProject(submission.project),
    };
    const processed = await processInstance(bytes, { key, deidentifiedAtSite: submission.deidentifiedAtSite === true, config });
    if (!processed.readable) return { ok: false, blocking: processed.findings };
    output = processed.output;
    checked = processed;
    findings = [...processed.findings];
  } else {
    checked = checkInstance(output, { config, verification: VERIFIED });
    findings = [...checked.findings, ...record.findings.filter((f) => ruleById(f.ruleId)?.level === 'study').map((f) => ({ ...f }))];
  }
  if (!checked.uids) return { ok: false, blocking: findings.filter((f) => f.severity === 'quarantine') };
  const ids = { ...checked.uids };
  const conflict = await intakeRepository().findOwnershipConflict({ ...ids, project: submission.project, site: submission.site });
  if (conflict) findings.push({ ruleId: 'OwnershipConflict', severity: 'quarantine', message: new OwnershipConflict(conflict).message });

  const digest = sha256Of(output);
  const holder = await claimSopUid({
    ...sopClaimOf(ids, digest),
    fileId: record.fileId,
    submissionId: record.submissionId,
    at: new Date().toISOString(),
  });
  if (holder) findings.push(duplicateSopFinding(holder));
  const blocking = findings.filter(
    (f) => f.severity === 'quarantine' && !(overrides.includes(f.ruleId) && ruleById(f.ruleId)?.overridable),
  );
  return blocking.length > 0 ? { ok: false, blocking } : { ok: true, bytes: output, sha256: digest, findings, ids };
}

/**
 * Admits a quarantined file that passed its re-check (the curator's
 * `POST /quarantine/{id}/release`): its study, series and SOP claimed for the
 * submission's project and site (OwnershipConflict before any byte is stored when
 * another owns them), the de-identified copy into the released bucket
 * (confirmed by size), the file's outcome back to staged with its instance
 * record, and, when its submission is already published, its study re-indexed
 * and published (with its series records; the caller adds it to search).
 * `restored` is false when another admission of the file got there first.
 */
export async function admitFromQuarantine(
  record: QuarantineRecord,
  submission: Submission,
  check: Extract<QuarantineRecheck, { ok: true }>,
  now: string,
): Promise<{ restored: boolean; published: boolean }> {
  const { bytes, ids, sha256: digest } = check;
  const owner: StudyOwner = { project: submission.project, site: submission.site };
  await intakeRepository().claimOwnership({ ...ids, ...owner });
  const target = releasedKey(ids.studyUid, ids.seriesUid, ids.sopUid);
  const sha256 = toHex(digest);
  // Checked by S3 against its SHA-256 and confirmed by the checksum S3 answers (a TransientError otherwise), as staging's.
  await objects().put(buckets.released(), target, bytes, { metadata: { sha256 }, sha256: digest });

  const view = new DatasetView(scanPart10(bytes));
  const modality = view.optionalText(QA_TAG.Modality);
  const instance: Instance = {
    ...ids,
    project: submission.project,
    site: submission.site,
    submissionId: submission.submissionId,
    fileId: record.fileId,
    objectKey: target,
    size: bytes.byteLength,
    sha256,
    transferSyntaxUid: view.transferSyntaxUid,
    sopClassUid: view.text(QA_TAG.SOPClassUID),
    ...(modality ? { modality } : {}),
    stagedAt: now,
    ...recordedFactsOf(bytes),
    ...instanceCatalogFields(bytes),
  };
  const restored = await qaRepository().restoreToStaged(
    { submissionId: submission.submissionId, fileId: record.fileId, releasedKey: target, at: now },
    instance,
  );
  if (!restored) return { restored: false, published: false };
  await qaRepository().putFileResult({
    submissionId: submission.submissionId,
    fileId: record.fileId,
    evaluatedAt: now,
    outcome: check.findings.length ? 'warn' : 'pass',
    findings: check.findings.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })),
  });
  // A submission still in its workflow is indexed and published by it; a published one gets its study now.
  const current = await intakeRepository().getSubmission(submission.submissionId);
  if (current?.status !== 'published') return { restored: true, published: false };
  await indexStudy(studyIndexStore(), ids.studyUid, (await intakeRepository().getStudyOwner(ids.studyUid)) ?? owner, now);
  await publicationRepository().publishStudy(ids.studyUid, now, owner);
  return { restored: true, published: true };
}
