import type { DatasetView } from '../../dataset-view';
import type { Type1Attribute } from '../../iod-tables';
import { checkValue } from '../../vr';

/** Messages for Type 1 attributes that are absent, empty or invalid for their VR (keywords only). */
export function type1Problems(view: DatasetView, attributes: readonly Type1Attribute[]): string[] {
  const absent: string[] = [];
  const empty: string[] = [];
  const invalid: string[] = [];
  for (const attribute of attributes) {
    const raw = view.bytes(attribute.tag);
    if (raw === undefined) {
      absent.push(attribute.keyword);
      continue;
    }
    const verdict = checkValue(attribute.vr, raw);
    if (verdict === 'empty') empty.push(attribute.keyword);
    else if (verdict === 'invalid') invalid.push(attribute.keyword);
  }
  return [
    ...(absent.length ? [`Type 1 attribute(s) absent: ${absent.join(', ')}`] : []),
    ...(empty.length ? [`Type 1 attribute(s) empty: ${empty.join(', ')}`] : []),
    ...(invalid.length ? [`Type 1 attribute(s) invalid for their VR: ${invalid.join(', ')}`] : []),
  ];
}
