/**
 * De-identification profiles: the shipped ones (midrc, the default; basic) and
 * the project hook. Shared as data by the de-identifier and the verifier.
 */
import basicJson from './basic.json';
import midrcJson from './midrc.json';
import { parseProfile, type DeidProfile } from './schema';

export { parseProfile, parseProfileJson, ProfileError, ProfileSchema, type DeidProfile, type ProfileOption } from './schema';

/** Basic + Retain Patient Characteristics + Modified Dates + Clean Descriptors (what MIDRC publishes with). */
export const DEFAULT_PROFILE: DeidProfile = /* @__PURE__ */ parseProfile(midrcJson, 'profile midrc.json');
/** The Basic Profile with no option. */
export const BASIC_PROFILE: DeidProfile = /* @__PURE__ */ parseProfile(basicJson, 'profile basic.json');

/**
 * The profile a project de-identifies with. Every project uses the default for
 * now; this is the hook for a per-project profile stored with the project
 * entity (the catalog is adding projects): the ingest de-identify and verify
 * steps both call it, so they always agree.
 */
export function profileForProject(project: string): DeidProfile {
  void project;
  return DEFAULT_PROFILE;
}
