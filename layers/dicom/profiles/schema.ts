/**
 * A de-identification profile: the PS3.15 Basic Profile plus the options a
 * project chooses, as a JSON file validated here. Errors name the bad field
 * ("options.retainSafePrivate must be a boolean"), never a DICOM value.
 */
import { z, type ZodIssue } from 'zod';

const flag = z.boolean();
const TAG = /^\([0-9A-Fa-f]{4},[0-9A-Fa-f]{4}\)$/;

export const ProfileSchema = z
  .object({
    name: z.string().min(1).max(64),
    description: z.string().max(1000).optional(),
    /** PS3.15 options (Table E.1-1 columns). Retain UIDs, Clean Structured Content and Clean Graphics are not offered. */
    options: z
      .object({
        retainPatientCharacteristics: flag,
        retainLongitudinalModifiedDates: flag,
        retainLongitudinalFullDates: flag,
        cleanDescriptors: flag,
        retainSafePrivate: flag,
        retainDeviceIdentity: flag,
        retainInstitutionIdentity: flag,
      })
      .strict(),
    /** The per-patient shift, in whole days back, drawn from [minShiftDays, maxShiftDays] by a keyed hash. */
    dates: z
      .object({
        minShiftDays: z.number().int().min(1).max(36_500),
        maxShiftDays: z.number().int().min(1).max(36_500),
        /** Under Modified Dates, TM values are kept as they are (a time of day alone dates nothing); false empties them. */
        keepTimes: flag,
      })
      .strict(),
    /** Ages above this many years become `090Y`-style capped values (HIPAA Safe Harbor: 89). */
    ageCapYears: z.number().int().min(1).max(150),
    /** Extra public attributes to keep verbatim, "(GGGG,EEEE)"; attributes that Annex E lists cannot be kept this way. */
    keep: z.array(z.string().regex(TAG, 'must be a tag like "(0018,1030)"')),
  })
  .strict()
  .superRefine((profile, ctx) => {
    if (profile.options.retainLongitudinalFullDates && profile.options.retainLongitudinalModifiedDates) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['options', 'retainLongitudinalFullDates'],
        message: 'cannot be combined with options.retainLongitudinalModifiedDates',
      });
    }
    if (profile.dates.minShiftDays > profile.dates.maxShiftDays) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['dates', 'minShiftDays'], message: 'must not exceed dates.maxShiftDays' });
    }
  });

export type DeidProfile = z.infer<typeof ProfileSchema>;
export type ProfileOption = keyof DeidProfile['options'];

/** A profile that failed validation; the message lists every bad field. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

function describe(issue: ZodIssue): string {
  const field = issue.path.join('.') || 'profile';
  switch (issue.code) {
    case 'invalid_type':
      return issue.received === 'undefined' ? `${field} is required` : `${field} must be a ${issue.expected} (got ${issue.received})`;
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${issue.path.length ? `${field}.` : ''}${k} is not a known field`).join('; ');
    default:
      return `${field} ${issue.message.replace(/^Number must be /, 'must be ').replace(/^String must contain /, 'must contain ')}`;
  }
}

/** Validates an already-parsed JSON value. */
export function parseProfile(value: unknown, source = 'profile'): DeidProfile {
  const result = ProfileSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ProfileError(`invalid de-identification ${source}: ${result.error.issues.map(describe).join('; ')}`);
}

/** Validates profile JSON text (a file's content). */
export function parseProfileJson(text: string, source = 'profile'): DeidProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProfileError(`invalid de-identification ${source}: not valid JSON`);
  }
  return parseProfile(value, source);
}
