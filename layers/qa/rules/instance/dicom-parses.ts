import type { InstanceRule } from './rule';

/** The bytes are a complete DICOM Part 10 instance (the structural walker read every element). */
export const dicomParses: InstanceRule = {
  id: 'dicom.parses',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: 'The file is a complete, readable DICOM Part 10 instance',
  overridable: false,
  offline: true,
  check: ({ view, parseError }) => (view ? [] : [parseError ?? 'not a readable DICOM Part 10 file']),
};
