import { groupBy, type StudyRule } from './rule';

/** Instance numbers of a series run without gaps (a gap suggests slices that were not sent). */
export const instanceNumberGaps: StudyRule = {
  id: 'series.instance-gaps',
  level: 'study',
  defaultSeverity: 'warn',
  description: 'InstanceNumber values of a series have no gaps',
  overridable: true,
  offline: true,
  check: (instances) =>
    [...groupBy(instances, (i) => i.seriesUid)].flatMap(([seriesUid, members]) => {
      const numbers = [...new Set(members.map((m) => m.instanceNumber).filter((n): n is number => n !== undefined))].sort((a, b) => a - b);
      const first = numbers[0];
      const last = numbers[numbers.length - 1];
      if (first === undefined || last === undefined) return [];
      const missing = last - first + 1 - numbers.length;
      return missing > 0
        ? [
            {
              seriesUid,
              studyUid: members[0]?.studyUid,
              message: `${missing} InstanceNumber value(s) missing between the first and last of ${numbers.length} instances`,
            },
          ]
        : [];
    }),
};
