import { distinct, groupBy, type StudyRule } from './rule';

export const mixedModalities: StudyRule = {
  id: 'series.mixed-modality',
  level: 'study',
  defaultSeverity: 'warn',
  description: 'All instances of a series have the same Modality',
  overridable: true,
  offline: true,
  check: (instances) =>
    [...groupBy(instances, (i) => i.seriesUid)].flatMap(([seriesUid, members]) => {
      const modalities = distinct(members.map((m) => m.modality));
      return modalities.length > 1
        ? [
            {
              seriesUid,
              studyUid: members[0]?.studyUid,
              message: `the series mixes ${modalities.length} modalities (${modalities.sort().join(', ')})`,
            },
          ]
        : [];
    }),
};

export const mixedFramesOfReference: StudyRule = {
  id: 'series.mixed-frame-of-reference',
  level: 'study',
  defaultSeverity: 'warn',
  description: 'All instances of a series share one Frame of Reference UID',
  overridable: true,
  offline: true,
  check: (instances) =>
    [...groupBy(instances, (i) => i.seriesUid)].flatMap(([seriesUid, members]) => {
      const frames = distinct(members.map((m) => m.frameOfReferenceUid));
      return frames.length > 1
        ? [{ seriesUid, studyUid: members[0]?.studyUid, message: `the series has ${frames.length} frames of reference` }]
        : [];
    }),
};
