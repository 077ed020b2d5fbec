import { parseQido } from '../../../layers/dicomweb';

const q = (params: Record<string, string>, level: 'study' | 'series' | 'instance' = 'study') =>
  parseQido(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [v]])), level);

describe('QIDO-RS query keys', () => {
  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf'])(
    'takes %s for an unknown key (ignored and named in a warning), not a member of Object.prototype',
    (name) => {
      const params = JSON.parse(`{"${name}": ["1.2.3"]}`) as Record<string, string[]>;
      const request = parseQido(params, 'study');
      expect(request.keys).toEqual([]);
      expect(request.warnings).toEqual([`The following attributes were not supported and were ignored: ${name}.`]);
    },
  );

  it('reads the keys it supports by keyword and by tag (either case)', () => {
    const request = q({ StudyInstanceUID: '1.2', '00080061': 'CT', '0020000d': '1.3' });
    expect(request.keys.map((k) => k.attribute.keyword)).toEqual(['StudyInstanceUID', 'ModalitiesInStudy', 'StudyInstanceUID']);
    expect(request.warnings).toEqual([]);
  });
});
