import { CASE_ID, type NodeDef } from './types';

export const imagingStudyNode: NodeDef = {
  node: 'imaging_study',
  version: '1.0.0',
  midrc: 'imaging_study',
  description:
    "Clinical context of an imaging study of the case, on the case's timeline (the study's DICOM itself arrives de-identified through intake).",
  key: ['study_modality', 'days_to_study'],
  properties: [
    CASE_ID,
    {
      name: 'study_modality',
      type: 'enum',
      codeSystem: 'DICOM',
      required: true,
      values: ['CR', 'DX', 'CT', 'MR', 'PT', 'NM', 'US', 'MG', 'XA', 'RF', 'OT'],
      description: 'Modality of the study (DICOM Modality).',
    },
    {
      name: 'days_to_study',
      type: 'days',
      required: true,
      dateColumn: 'study_date',
      description: 'Days from the index event to the study.',
    },
    { name: 'age_at_imaging', type: 'age', unit: 'years', description: 'Age in whole years at the study; above 89 is "90+".' },
    {
      name: 'body_part_examined',
      type: 'enum',
      codeSystem: 'DICOM',
      values: ['CHEST', 'ABDOMEN', 'HEAD', 'PELVIS', 'NECK', 'EXTREMITY', 'BREAST', 'HEART', 'OTHER'],
      description: 'Body part examined (DICOM Body Part Examined).',
    },
  ],
};
