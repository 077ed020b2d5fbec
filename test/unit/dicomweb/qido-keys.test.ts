import { InvalidQidoQuery, parseQido } from '../../../layers/dicomweb';

describe('QIDO-RS query keys', () => {
  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf'])(
    'refuses %s as an unsupported key, not a member of Object.prototype',
    (name) => {
      const params = JSON.parse(`{"${name}": "1.2.3"}`) as Record<string, string>;
      expect(() => parseQido(params)).toThrow(InvalidQidoQuery);
    },
  );

  it('still reads the keys it supports, by keyword and by tag', () => {
    expect(parseQido({ StudyInstanceUID: '1.2', '00080060': 'CT' })).toEqual({
      limit: 100,
      offset: 0,
      studyUids: ['1.2'],
      modalities: ['CT'],
    });
  });
});
