import { distinct, groupBy, type StudyRule } from './rule';

/** Every instance of a study belongs to one patient (one de-identified PatientID pseudonym). */
export const onePatientPerStudy: StudyRule = {
  id: 'study.one-patient',
  level: 'study',
  defaultSeverity: 'quarantine',
  description: 'All instances of a study have the same (pseudonymous) PatientID',
  overridable: true,
  offline: true,
  check: (instances) =>
    [...groupBy(instances, (i) => i.studyUid)].flatMap(([studyUid, members]) => {
      const patients = distinct(members.map((m) => m.patientId ?? ''));
      if (patients.length <= 1) return [];
      return members.map((m) => ({
        fileId: m.fileId,
        studyUid,
        message: `the study holds instances of ${patients.length} different patients`,
      }));
    }),
};
