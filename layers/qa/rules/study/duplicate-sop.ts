import type { InstanceFacts } from '../../facts';
import { byArrival, groupBy, type StudyProblem, type StudyRule } from './rule';

/**
 * The same SOP Instance UID twice: identical bytes are the same upload repeated
 * (idempotent, not a finding); different bytes are a conflict, and the later
 * arrival is flagged so the first one stays.
 */
export function duplicateSopProblems(instances: readonly InstanceFacts[]): StudyProblem[] {
  return [...groupBy(instances, (i) => `${i.studyUid}|${i.seriesUid}|${i.sopUid}`).values()].flatMap((members) => {
    const [first, ...later] = [...members].sort(byArrival);
    if (!first) return [];
    return later
      .filter((m) => m.sha256 !== first.sha256)
      .map((m) => ({
        fileId: m.fileId,
        studyUid: m.studyUid,
        seriesUid: m.seriesUid,
        message: `SOPInstanceUID already received with different content (first in file ${first.fileId})`,
      }));
  });
}

export const duplicateSop: StudyRule = {
  id: 'uids.duplicate-sop',
  level: 'study',
  defaultSeverity: 'quarantine',
  description:
    'A SOP Instance UID received twice with different bytes is a conflict; the later file is flagged (identical bytes are idempotent)',
  overridable: false,
  offline: true,
  check: duplicateSopProblems,
};
