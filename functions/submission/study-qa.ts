import { submissionStudyUids, type Instance } from '../../layers/catalog/entities';
import { assertOwnedBy } from '../../layers/catalog/ownership';
import { evaluateStudies, evaluateSubmission, filesToQuarantine, type Finding, type InstanceFacts } from '../../layers/qa';
import { logger } from '../../layers/adapters/aws/powertools';
import { taskHandler } from '../../layers/adapters/aws/task';
import { submissionInput, type StudyQaResult } from '../../layers/pipeline/submission-states';
import { intakeRepository, publicationRepository } from '../../layers/services/commons-context';
import { casesByStudy, clinicalOfCases } from '../../layers/services/submission-cases';
import { projectQaConfig, qaRepository } from '../../layers/services/qa-context';
import { requarantineStaged } from '../../layers/services/requarantine';
import { withPixelDigests } from '../../layers/services/pixel-digests';
import { instancesOfStudies } from '../../layers/services/study-index';
import { SubmissionNotSealed } from './index-submission';

/**
 * First state of the submission workflow, before indexing: the series/study rules
 * over every instance of the studies the submission touched (instances other
 * submissions staged count too: one patient per study holds across them), and the
 * submission rules. A quarantine finding sends this submission's file back to
 * quarantine; the findings are recorded for the QA report.
 */
export const handler = taskHandler(submissionInput, async function runStudyQa({ submissionId }): Promise<StudyQaResult> {
  const submission = await intakeRepository().getSubmission(submissionId);
  if (!submission || submission.status === 'open') throw new SubmissionNotSealed('the submission is not sealed');
  if (submission.status === 'published') {
    // A re-run after publication (its report or snapshot step failed): what researchers can see is not re-judged
    // here (a changed QA config would pull published files); the result recorded before publication stands.
    const recorded = await qaRepository().getSubmissionResult(submissionId);
    if (recorded) {
      logger.info('study qa already recorded', { submissionId, findings: recorded.findings.length });
      return { submissionId, findings: recorded.findings.length, quarantined: recorded.quarantinedFileIds.length };
    }
  }
  const config = await projectQaConfig(submission.project);
  const files = await intakeRepository().listFiles(submissionId);
  const studyUids = submissionStudyUids(files);
  const instances = await withPixelDigests(await instancesOfStudies(publicationRepository(), studyUids));
  // Staging's claims keep every instance of these studies in this project and site;
  // if older data breaks that, the rules (and this submission's report) must not see another owner's instances.
  assertOwnedBy(submission, instances);

  const ownFiles = new Set(files.filter((f) => f.status === 'staged').map((f) => f.fileId));
  const studyFindings = evaluateStudies(instances.map(factsOf), config)
    // Another submission's files are its own business; series-level findings (no file) are reported.
    .filter((f) => !f.fileId || ownFiles.has(f.fileId) || f.severity === 'warn');
  const studyCases = await casesByStudy(submission.project, instances);
  const submissionFindings = evaluateSubmission(
    { files, studyUids, casesByStudy: studyCases, clinicalByCase: await clinicalOfCases(submission.project, studyCases.values()) },
    config,
  );

  const now = new Date().toISOString();
  const quarantined: string[] = [];
  for (const [fileId, findings] of filesToQuarantine(studyFindings)) {
    const instance = instances.find((i) => i.fileId === fileId && ownFiles.has(i.fileId));
    if (instance && submission.status === 'sealed' && (await requarantineStaged(submission, instance, findings, now)))
      quarantined.push(fileId);
  }
  const findings: Finding[] = [...studyFindings, ...submissionFindings];
  await qaRepository().putSubmissionResult({ submissionId, findings, quarantinedFileIds: quarantined, evaluatedAt: now });
  logger.info('study qa', {
    submissionId,
    studies: studyUids.length,
    instances: instances.length,
    findings: findings.length,
    quarantined: quarantined.length,
  });
  return { submissionId, findings: findings.length, quarantined: quarantined.length };
});

function factsOf(i: Instance): InstanceFacts {
  return {
    fileId: i.fileId,
    studyUid: i.studyUid,
    seriesUid: i.seriesUid,
    sopUid: i.sopUid,
    sha256: i.sha256,
    order: `${i.stagedAt}#${i.fileId}`,
    ...(i.modality ? { modality: i.modality } : {}),
    ...(i.patientPseudonym !== undefined ? { patientId: i.patientPseudonym } : {}),
    ...(i.instanceNumber !== undefined ? { instanceNumber: i.instanceNumber } : {}),
    ...(i.frameOfReferenceUid !== undefined ? { frameOfReferenceUid: i.frameOfReferenceUid } : {}),
    ...(i.pixelSha256 !== undefined ? { pixelSha256: i.pixelSha256 } : {}),
  };
}
