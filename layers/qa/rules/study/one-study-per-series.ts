import { distinct, groupBy, type StudyRule } from './rule';

/** A Series Instance UID appears in one study only. */
export const oneStudyPerSeries: StudyRule = {
  id: 'series.one-study',
  level: 'study',
  defaultSeverity: 'quarantine',
  description: 'A series belongs to exactly one study',
  overridable: true,
  offline: true,
  check: (instances) =>
    [...groupBy(instances, (i) => i.seriesUid)].flatMap(([seriesUid, members]) => {
      const studies = distinct(members.map((m) => m.studyUid));
      if (studies.length <= 1) return [];
      return members.map((m) => ({
        fileId: m.fileId,
        seriesUid,
        studyUid: m.studyUid,
        message: `the series appears in ${studies.length} studies`,
      }));
    }),
};
