import { BASIC_PROFILE, DEFAULT_PROFILE, parseProfile, parseProfileJson, profileForProject, ProfileError } from '../../../layers/dicom';
import { dictionaryEntry } from '../../../layers/dicom/dcmjs';
import keepList from '../../../layers/dicom/profiles/keep-list.json';
import midrc from '../../../layers/dicom/profiles/midrc.json';
import table from '../../../layers/dicom/reference/ps3.15-annex-e.json';

const error = (value: unknown): string => {
  try {
    parseProfile(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return (e as Error).message;
  }
  throw new Error('the profile was accepted');
};

describe('de-identification profiles', () => {
  it('ships the MIDRC default (Basic + patient characteristics + modified dates + clean descriptors) and Basic', () => {
    expect(DEFAULT_PROFILE.options).toEqual({
      retainPatientCharacteristics: true,
      retainLongitudinalModifiedDates: true,
      retainLongitudinalFullDates: false,
      cleanDescriptors: true,
      retainSafePrivate: false,
      retainDeviceIdentity: false,
      retainInstitutionIdentity: false,
    });
    expect(Object.values(BASIC_PROFILE.options).every((on) => on === false)).toBe(true);
    expect(profileForProject('any-project')).toBe(DEFAULT_PROFILE);
  });

  it.each([
    [{ ...midrc, options: { ...midrc.options, retainSafePrivate: 'yes' } }, 'options.retainSafePrivate must be a boolean (got string)'],
    [{ ...midrc, options: { ...midrc.options, cleanDescriptors: undefined } }, 'options.cleanDescriptors is required'],
    [{ ...midrc, options: { ...midrc.options, retainUIDs: true } }, 'options.retainUIDs is not a known field'],
    [{ ...midrc, colour: 'blue' }, 'colour is not a known field'],
    [
      { ...midrc, options: { ...midrc.options, retainLongitudinalFullDates: true } },
      'options.retainLongitudinalFullDates cannot be combined with options.retainLongitudinalModifiedDates',
    ],
    [{ ...midrc, dates: { ...midrc.dates, minShiftDays: 4000 } }, 'dates.minShiftDays must not exceed dates.maxShiftDays'],
    [{ ...midrc, dates: { ...midrc.dates, maxShiftDays: 0 } }, 'dates.maxShiftDays must be greater than or equal to 1'],
    [{ ...midrc, keep: ['0018,1030'] }, 'keep.0 must be a tag like "(0018,1030)"'],
    [{ ...midrc, name: '' }, 'name must contain at least 1 character(s)'],
  ])('rejects a bad profile with an error naming the field (%#)', (value, message) => {
    expect(error(value)).toContain(message);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseProfileJson('{ nope', 'profile my.json')).toThrow('invalid de-identification profile my.json: not valid JSON');
  });

  it('keeps the keep-list disjoint from the Annex E table, and every entry a real PS3.6 attribute', () => {
    const tableTags = new Set(table.map((r) => r.tag));
    for (const a of keepList.attributes) {
      expect({ tag: a.tag, inTable: tableTags.has(a.tag) }).toEqual({ tag: a.tag, inTable: false });
      expect(dictionaryEntry(a.tag.replace(/[(),]/g, ''))?.keyword).toBe(a.keyword);
    }
  });
});
