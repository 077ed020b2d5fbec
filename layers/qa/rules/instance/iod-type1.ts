import { CORE_TYPE1 } from '../../iod-tables';
import type { InstanceRule } from './rule';
import { type1Problems } from './type1-check';

/** Type 1 attributes of the modules every image IOD shares (study, series, image pixel, SOP common). */
export const iodType1: InstanceRule = {
  id: 'iod.type1',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description:
    'Type 1 attributes of the General Study, General Series, Image Pixel and SOP Common modules are present and valid for their VR',
  overridable: false,
  offline: true,
  check: ({ view }) => (view ? type1Problems(view, CORE_TYPE1) : []),
};
