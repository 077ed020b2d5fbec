import { apiQueryOf, filterFromQuery, overridableOf, queryOf } from '../../../web/src/curator/quarantine-filter';
import { PRESETS, scrolledIndex, voiRangeOf } from '../../../web/src/viewer/presets';

describe('curator queue filters in the URL', () => {
  it('round-trips through the query string, leaving out empty fields and the default status', () => {
    const filter = { project: 'p1', rule: 'deid.pixel-review', submission: '', status: 'quarantined' as const };
    expect(queryOf(filter)).toBe('?project=p1&rule=deid.pixel-review');
    expect(filterFromQuery(new URLSearchParams(queryOf(filter)))).toEqual(filter);
    expect(queryOf({ ...filter, project: '', rule: '', status: 'rejected' })).toBe('?status=rejected');
    expect(filterFromQuery(new URLSearchParams('status=bogus')).status).toBe('quarantined');
  });

  it('sends the API only well-formed rule ids and submission ids (a half-typed one does not make a 400)', () => {
    const id = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';
    expect(apiQueryOf({ project: 'p', rule: 'deid.pix', submission: id, status: 'quarantined' })).toEqual({
      status: 'quarantined',
      project: 'p',
      rule: 'deid.pix',
      submission: id.toLowerCase(),
    });
    expect(apiQueryOf({ project: '', rule: 'bad rule!', submission: '3F25', status: 'released' })).toEqual({ status: 'released' });
  });

  it('overrides only rules that block this item', () => {
    expect(overridableOf(['deid.pixel-review', 'qa.x'], new Set(['deid.pixel-review', 'other']))).toEqual(['deid.pixel-review']);
  });
});

describe('viewer presets and scrolling', () => {
  it('turns width and centre into the voiRange Cornerstone takes (CT lung, mediastinum); the radiograph preset uses the image window', () => {
    const byId = Object.fromEntries(PRESETS.map((p) => [p.id, p]));
    expect(voiRangeOf(byId['ct-lung']!)).toEqual({ lower: -1350, upper: 150 });
    expect(voiRangeOf(byId['ct-mediastinum']!)).toEqual({ lower: -125, upper: 225 });
    expect(voiRangeOf(byId.radiograph!)).toBeUndefined();
  });

  it('keeps a scroll inside the stack', () => {
    expect(scrolledIndex(0, -1, 5)).toBe(0);
    expect(scrolledIndex(4, 1, 5)).toBe(4);
    expect(scrolledIndex(2, 1, 5)).toBe(3);
    expect(scrolledIndex(3, 1, 0)).toBe(0);
  });
});
