/**
 * The ownership decision the intake repository reads before a curator's release
 * (firstConflict) and where a grant sits in its user's collection (grantScopeKey):
 * pure, so checked here without a table; the claims themselves race on DynamoDB
 * Local in test/integration/catalog-repository.test.ts.
 */
import { firstConflict, ownClaims, type HeldClaims, type InstanceClaim } from '../../../layers/catalog/ownership';
import { grantScopeKey } from '../../../layers/catalog/keys';

const claim: InstanceClaim = { project: 'p', site: 'a', studyUid: '2.25.1', seriesUid: '2.25.2', sopUid: '2.25.3' };
const nothingHeld: HeldClaims = { study: undefined, series: undefined, object: undefined };
const ownHeld: HeldClaims = {
  study: { project: 'p', site: 'a' },
  series: { studyUid: '2.25.1' },
  object: { studyUid: '2.25.1', seriesUid: '2.25.2' },
};

describe('ownClaims (which writes a claim may leave out)', () => {
  it('counts a claim as the instance’s own only when it names the same project and site, study, or study and series', () => {
    expect(ownClaims(claim, ownHeld)).toEqual({ study: true, series: true, sop: true });
    expect(ownClaims(claim, nothingHeld)).toEqual({ study: false, series: false, sop: false });
    expect(
      ownClaims(claim, {
        study: { project: 'p', site: 'b' },
        series: { studyUid: '2.25.9' },
        object: { studyUid: '2.25.1', seriesUid: '2.25.8' },
      }),
    ).toEqual({ study: false, series: false, sop: false });
    // A study staged before claims existed has no owner yet: it is claimed, not assumed.
    expect(ownClaims(claim, { ...ownHeld, study: {} }).study).toBe(false);
  });
});

describe('firstConflict', () => {
  it('lets an instance claim what nobody holds, and what its own owner holds', () => {
    expect(firstConflict(claim, nothingHeld)).toBeUndefined();
    expect(firstConflict(claim, ownHeld)).toBeUndefined();
    // A study staged before claims existed has no owner yet.
    expect(firstConflict(claim, { ...nothingHeld, study: {} })).toBeUndefined();
  });

  it('names the study when another project or another site holds it', () => {
    expect(firstConflict(claim, { ...ownHeld, study: { project: 'q', site: 'a' } })).toBe('study');
    expect(firstConflict(claim, { ...ownHeld, study: { project: 'p', site: 'b' } })).toBe('study');
  });

  it('names the series when it belongs to another study, and the SOP when it belongs to another series or study', () => {
    expect(firstConflict(claim, { ...ownHeld, series: { studyUid: '2.25.9' } })).toBe('series');
    expect(firstConflict(claim, { ...ownHeld, object: { studyUid: '2.25.1', seriesUid: '2.25.9' } })).toBe('sop');
    expect(firstConflict(claim, { ...ownHeld, object: { studyUid: '2.25.9', seriesUid: '2.25.2' } })).toBe('sop');
  });

  it('names the first conflict in claim order: study, series, SOP', () => {
    const allOthers: HeldClaims = {
      study: { project: 'q', site: 'b' },
      series: { studyUid: '2.25.9' },
      object: { studyUid: '2.25.9', seriesUid: '2.25.8' },
    };
    expect(firstConflict(claim, allOthers)).toBe('study');
    expect(firstConflict(claim, { ...allOthers, study: ownHeld.study })).toBe('series');
  });
});

describe('grantScopeKey', () => {
  it('places a cohort grant under its cohort and a project grant under its project', () => {
    expect(grantScopeKey({ cohortId: 'c1', project: 'p' })).toBe('cohort#c1');
    expect(grantScopeKey({ project: 'p' })).toBe('p');
    expect(() => grantScopeKey({})).toThrow('a grant names a project or a cohort');
  });
});
