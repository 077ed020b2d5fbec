import { byArrival, groupBy, type StudyRule } from './rule';

/** The same pixel data under different SOP Instance UIDs: a copy that would count twice in a cohort. */
export const duplicatePixels: StudyRule = {
  id: 'pixel.duplicate',
  level: 'study',
  defaultSeverity: 'warn',
  description: 'Identical pixel data under different SOP Instance UIDs (the later instance is flagged)',
  overridable: true,
  offline: true,
  check: (instances) =>
    [...groupBy(instances, (i) => i.pixelSha256)].flatMap(([, members]) => {
      const sorted = [...members].sort(byArrival);
      const first = sorted[0];
      if (!first) return [];
      const seen = new Set([first.sopUid]);
      return sorted.slice(1).flatMap((m) => {
        if (seen.has(m.sopUid)) return [];
        seen.add(m.sopUid);
        return [
          {
            fileId: m.fileId,
            studyUid: m.studyUid,
            seriesUid: m.seriesUid,
            message: `pixel data identical to file ${first.fileId} under another SOPInstanceUID`,
          },
        ];
      });
    }),
};
