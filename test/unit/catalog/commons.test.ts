/**
 * The catalog's pure rules around search: study and series aggregates of the
 * MIDRC fields, search rows (the case over DICOM for demographics), who sees
 * which project, DICOM ages, manifests.
 */
import { summarizeSeries, type Case, type Project } from '../../../layers/catalog/commons-entities';
import { ageInYears, catalogFieldsOf } from '../../../layers/catalog/dicom-fields';
import { Instance, summarizeStudy, type Study } from '../../../layers/catalog/entities';
import { manifestCsv, manifestRowOf } from '../../../layers/catalog/manifest';
import { studyRowOf } from '../../../layers/catalog/search-rows';
import { dataScope as visibleProjects } from '../../../layers/access/data';
import { callerFromClaims } from '../../../layers/access/caller';

const instance = (over: Partial<Instance>): Instance => ({
  studyUid: '2.25.1',
  seriesUid: '2.25.2',
  sopUid: '2.25.3',
  project: 'p',
  site: 'a',
  submissionId: 's1',
  fileId: 'f',
  objectKey: 'k',
  size: 10,
  sha256: 'h',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  sopClassUid: '1.2',
  modality: 'CT',
  stagedAt: 't',
  ...over,
});

describe('study and series aggregates', () => {
  it('keeps distinct body parts, manufacturers, thicknesses, and the most common description, age, sex and patient', () => {
    const study = summarizeStudy(
      [
        instance({
          sopUid: '1',
          bodyPart: 'CHEST',
          manufacturer: 'GE',
          sliceThickness: 1.25,
          patientAge: 54,
          patientSex: 'Female',
          patientPseudonym: 'HILUM-A',
          studyDescription: 'CT CHEST',
        }),
        instance({
          sopUid: '2',
          bodyPart: 'CHEST',
          manufacturer: 'GE',
          sliceThickness: 5,
          patientAge: 54,
          patientSex: 'Female',
          patientPseudonym: 'HILUM-A',
          studyDescription: 'CT CHEST',
        }),
        instance({ sopUid: '3', seriesUid: '2.25.9', bodyPart: 'ABDOMEN', manufacturer: 'SIEMENS', patientAge: 55, studyYear: 2021 }),
      ],
      'now',
      { project: 'p', site: 'a' },
    );
    expect(study).toMatchObject({
      bodyParts: ['ABDOMEN', 'CHEST'],
      manufacturers: ['GE', 'SIEMENS'],
      sliceThicknesses: [1.25, 5],
      viewPositions: [],
      studyDescription: 'CT CHEST',
      patientAge: 54,
      patientSex: 'Female',
      patientPseudonym: 'HILUM-A',
      studyYear: 2021,
    });
  });

  it('summarizes each series from its own instances', () => {
    const series = summarizeSeries(
      [
        instance({ sopUid: '1', size: 5, manufacturer: 'GE', pixelSpacing: [0.5, 0.5], imageType: ['ORIGINAL', 'PRIMARY'] }),
        instance({ sopUid: '2', size: 7, manufacturer: 'GE', pixelSpacing: [0.5, 0.5] }),
        instance({ sopUid: '3', size: 1, seriesUid: '2.25.9', modality: 'PR' }),
      ],
      'now',
    );
    expect(series).toEqual([
      expect.objectContaining({
        seriesUid: '2.25.2',
        instanceCount: 2,
        totalBytes: 12,
        manufacturer: 'GE',
        modality: 'CT',
        pixelSpacing: [0.5, 0.5],
        imageType: ['ORIGINAL', 'PRIMARY'],
      }),
      expect.objectContaining({ seriesUid: '2.25.9', instanceCount: 1, totalBytes: 1, modality: 'PR' }),
    ]);
    expect(series[1]).not.toHaveProperty('manufacturer');
  });
});

describe('studyRowOf', () => {
  const study: Study = {
    studyUid: '2.25.1',
    project: 'p',
    site: 'a',
    status: 'published',
    modalities: ['CT'],
    seriesCount: 1,
    instanceCount: 1,
    totalBytes: 1,
    submissionIds: ['s'],
    indexedAt: 't',
    publishedAt: '2026-01-02T00:00:00.000Z',
    patientSex: 'Male',
    patientAge: 40,
    sliceThicknesses: [0.8, 3],
  };
  const caseRecord: Case = {
    project: 'p',
    casePseudonym: 'HILUM-A',
    site: 'a',
    sex: 'Female',
    ageAtIndex: 89,
    ageCapped: true,
    race: 'Not Reported',
    covid19Positive: 'Yes',
    submissionId: 's',
    updatedAt: 't',
  };

  it('takes demographics from the case, "Not Reported" as unknown, and bands slice thicknesses', () => {
    expect(studyRowOf(study, caseRecord, 2)).toEqual({
      studyUid: '2.25.1',
      project: 'p',
      site: 'a',
      firstRelease: 2,
      modalities: ['CT'],
      bodyParts: [],
      manufacturers: [],
      viewPositions: [],
      sliceThicknessBands: ['0-1mm', '2.5-5mm'],
      sex: 'Female',
      age: 89,
      covid19: 'Yes',
      publishedAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it("falls back to DICOM's sex and age without a case", () => {
    expect(studyRowOf(study, undefined, undefined)).toMatchObject({ sex: 'Male', age: 40 });
    expect(studyRowOf(study, undefined, undefined)).not.toHaveProperty('firstRelease');
  });
});

describe('visibleProjects', () => {
  const projects: Project[] = (['open', 'restricted', 'sequestered'] as const).map((availability) => ({
    projectId: `p-${availability}`,
    name: availability,
    availability,
    createdBy: 'c',
    createdAt: 't',
    updatedAt: 't',
  }));
  const researcher = callerFromClaims({ sub: 'u1', 'cognito:groups': ['researcher'] });
  const curator = callerFromClaims({ sub: 'u2', 'cognito:groups': ['curator'] });
  const grant = (project: string, expiresAt?: string) => ({
    subject: 'u1',
    project,
    grantedBy: 'dac',
    grantedAt: 't',
    ...(expiresAt ? { expiresAt } : {}),
  });

  it('gives researchers open projects, restricted ones only with a live grant, sequestered ones never; curators all', () => {
    expect(visibleProjects(researcher, projects, [])).toEqual(new Set(['p-open']));
    expect(visibleProjects(researcher, projects, [grant('p-restricted')])).toEqual(new Set(['p-open', 'p-restricted']));
    expect(visibleProjects(researcher, projects, [grant('p-restricted', '2000-01-01T00:00:00Z')])).toEqual(new Set(['p-open']));
    expect(visibleProjects(researcher, projects, [grant('p-sequestered')])).toEqual(new Set(['p-open']));
    expect(visibleProjects(curator, projects, [])).toBe('all');
  });
});

describe('DICOM fields for the catalog', () => {
  it('reads ages in years, weeks, months and days, capped at 89', () => {
    expect([
      ageInYears('054Y'),
      ageInYears('095Y'),
      ageInYears('018M'),
      ageInYears('104W'),
      ageInYears('400D'),
      ageInYears('54'),
      ageInYears(undefined),
    ]).toEqual([54, 89, 1, 2, 1, undefined, undefined]);
  });

  it('normalizes sex codes, upper-cases codes, and keeps the year of the study date only', () => {
    expect(
      catalogFieldsOf({ patientSex: 'F', bodyPartExamined: 'chest', studyDate: '20210304', viewPosition: 'pa', patientId: 'HILUM-1' }),
    ).toEqual({ patientSex: 'Female', bodyPart: 'CHEST', studyYear: 2021, viewPosition: 'PA', patientPseudonym: 'HILUM-1' });
  });

  it('keeps the study time (for QIDO-RS StudyTime matching) when it is a valid TM, in the DICOM form', () => {
    expect(
      ['101500', '1015', '10', '101500.25', '10:15:00', '2515', '10150', 'noon'].map((t) => catalogFieldsOf({ studyTime: t }).studyTime),
    ).toEqual(['101500', '1015', '10', '101500.25', '101500', undefined, undefined, undefined]);
    expect(
      summarizeStudy([instance({ studyTime: '101500' }), instance({ sopUid: '2.25.4', studyTime: '101500' })], 'now', {
        project: 'p',
        site: 'a',
      }).studyTime,
    ).toBe('101500');
  });
});

describe('manifests', () => {
  it('names each object hilum:<SOP Instance UID> and writes CSV without storage keys', () => {
    const row = manifestRowOf(instance({ objectKey: 'studies/x/y/z.dcm', sha256: 'ab'.repeat(32), size: 123 }));
    expect(row.objectId).toBe('hilum:2.25.3');
    expect(manifestCsv([row])).toBe(
      `object_id,study_uid,series_uid,sop_uid,size,sha256\nhilum:2.25.3,2.25.1,2.25.2,2.25.3,123,${'ab'.repeat(32)}\n`,
    );
  });
});
