/**
 * The Type 1 attributes (PS3.3: required, non-empty) of the image IODs hilum
 * accepts, by module, and their storage SOP classes. Data, not code: the `iod.type1` and `iod.type1-modality`
 * rules read it. Focused on what a commons needs to index and display an image:
 *
 * - CORE: the modules every image IOD in scope shares. Patient and General
 *   Equipment have no top-level Type 1 attribute (PatientName, PatientID,
 *   Manufacturer are Type 2), so they contribute nothing here.
 * - BY_MODALITY: the modality's own image modules (CT Image, MR Image, DX Image,
 *   DX Detector, DX Anatomy Imaged, Image Plane, Frame of Reference). CR Image
 *   and CR Series have no Type 1 attribute.
 */
export interface Type1Attribute {
  readonly keyword: string;
  readonly tag: string;
  readonly vr: string;
  readonly module: string;
}

const a = (module: string, keyword: string, tag: string, vr: string): Type1Attribute => ({ module, keyword, tag, vr });

export const CORE_TYPE1: readonly Type1Attribute[] = [
  a('General Study', 'StudyInstanceUID', '0020000D', 'UI'),
  a('General Series', 'Modality', '00080060', 'CS'),
  a('General Series', 'SeriesInstanceUID', '0020000E', 'UI'),
  a('Image Pixel', 'SamplesPerPixel', '00280002', 'US'),
  a('Image Pixel', 'PhotometricInterpretation', '00280004', 'CS'),
  a('Image Pixel', 'Rows', '00280010', 'US'),
  a('Image Pixel', 'Columns', '00280011', 'US'),
  a('Image Pixel', 'BitsAllocated', '00280100', 'US'),
  a('Image Pixel', 'BitsStored', '00280101', 'US'),
  a('Image Pixel', 'HighBit', '00280102', 'US'),
  a('Image Pixel', 'PixelRepresentation', '00280103', 'US'),
  a('SOP Common', 'SOPClassUID', '00080016', 'UI'),
  a('SOP Common', 'SOPInstanceUID', '00080018', 'UI'),
];

const IMAGE_PLANE: readonly Type1Attribute[] = [
  a('Frame of Reference', 'FrameOfReferenceUID', '00200052', 'UI'),
  a('Image Plane', 'PixelSpacing', '00280030', 'DS'),
  a('Image Plane', 'ImageOrientationPatient', '00200037', 'DS'),
  a('Image Plane', 'ImagePositionPatient', '00200032', 'DS'),
];

export const TYPE1_BY_MODALITY: Readonly<Record<string, readonly Type1Attribute[]>> = {
  CR: [],
  CT: [
    ...IMAGE_PLANE,
    a('CT Image', 'ImageType', '00080008', 'CS'),
    a('CT Image', 'RescaleIntercept', '00281052', 'DS'),
    a('CT Image', 'RescaleSlope', '00281053', 'DS'),
  ],
  MR: [
    ...IMAGE_PLANE,
    a('MR Image', 'ImageType', '00080008', 'CS'),
    a('MR Image', 'ScanningSequence', '00180020', 'CS'),
    a('MR Image', 'SequenceVariant', '00180021', 'CS'),
  ],
  DX: [
    a('DX Anatomy Imaged', 'ImageLaterality', '00200062', 'CS'),
    a('DX Image', 'ImageType', '00080008', 'CS'),
    a('DX Image', 'PixelIntensityRelationship', '00281040', 'CS'),
    a('DX Image', 'PixelIntensityRelationshipSign', '00281041', 'SS'),
    a('DX Image', 'RescaleIntercept', '00281052', 'DS'),
    a('DX Image', 'RescaleSlope', '00281053', 'DS'),
    a('DX Image', 'RescaleType', '00281054', 'LO'),
    a('DX Image', 'PresentationLUTShape', '20500020', 'CS'),
    a('DX Image', 'LossyImageCompression', '00282110', 'CS'),
    a('DX Image', 'BurnedInAnnotation', '00280301', 'CS'),
    a('DX Detector', 'ImagerPixelSpacing', '00181164', 'DS'),
  ],
};

/** Storage SOP classes of the image IODs above, by modality (scope.sop-class). */
export const SOP_CLASSES_BY_MODALITY: Readonly<Record<string, readonly string[]>> = {
  CR: ['1.2.840.10008.5.1.4.1.1.1'],
  DX: ['1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.5.1.4.1.1.1.1.1'],
  CT: ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.2.1'],
  MR: ['1.2.840.10008.5.1.4.1.1.4', '1.2.840.10008.5.1.4.1.1.4.1'],
};
