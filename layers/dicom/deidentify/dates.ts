/**
 * Retain Longitudinal Temporal Information with Modified Dates: every date of
 * one patient moves back by the same keyed number of whole days, so intervals
 * (between studies, birth and study) are kept and no real date survives.
 * Applied by VR (DA, DT), not by attribute name; TM is a time of day and stays.
 */
import { hmacSha256 } from '../../common/digest';
import type { DeidProfile } from '../profiles';
import type { KeyOptions } from './remap-uid';
import { patientScope } from './pseudonym';

/** Days back, in [minShiftDays, maxShiftDays], from HMAC(secret, project, issuing site, patient key). */
export function dateShiftDays(patientKey: string, options: KeyOptions, profile: DeidProfile): number {
  const digest = hmacSha256(options.secret, `dateshift\0${patientScope(options)}\0${patientKey}`);
  const span = profile.dates.maxShiftDays - profile.dates.minShiftDays + 1;
  return profile.dates.minShiftDays + (new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0) % span);
}

const DAY_MS = 86_400_000;

function shiftYmd(year: number, month: number, day: number, days: number): [number, number, number] | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const time = Date.UTC(year, month - 1, day);
  const check = new Date(time);
  // Date.UTC rolls 31 February over into March; such a date is not a date.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const shifted = new Date(time - days * DAY_MS);
  return [shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate()];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** One DA value (YYYYMMDD, or the ACR-NEMA YYYY.MM.DD); undefined when it is not a date. */
export function shiftDate(value: string, days: number): string | undefined {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const shifted = shiftYmd(Number(m[1]), Number(m[2]), Number(m[3]), days);
  return shifted ? `${pad(shifted[0], 4)}${pad(shifted[1], 2)}${pad(shifted[2], 2)}` : undefined;
}

/**
 * One DT value: YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]. The date part moves, the
 * time of day and the timezone suffix are kept; a value with only a year or a
 * month keeps its precision (shifted from the first day of that period).
 */
export function shiftDateTime(value: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{0,6}(?:\.\d{1,6})?)?([+-]\d{4})?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, time = '', zone = ''] = m;
  const shifted = shiftYmd(Number(y), Number(mo ?? '01'), Number(d ?? '01'), days);
  if (!shifted) return undefined;
  const date = `${pad(shifted[0], 4)}${mo ? pad(shifted[1], 2) : ''}${d ? pad(shifted[2], 2) : ''}`;
  return `${date}${time}${zone}`;
}

/**
 * A whole DA or DT element value: multi-valued (backslash) and ranges ("A-B",
 * as in query keys) are shifted part by part. Undefined when any part is not a
 * date: the caller then empties the element rather than keep an unknown string.
 */
export function shiftValue(text: string, vr: 'DA' | 'DT', days: number): string | undefined {
  const shiftOne = vr === 'DA' ? shiftDate : shiftDateTime;
  const parts: string[] = [];
  for (const value of text.split('\\')) {
    if (value.trim() === '') {
      parts.push('');
      continue;
    }
    // DT values carry "-ZZXX" offsets, so only DA splits on a range hyphen.
    const range = vr === 'DA' ? value.split('-') : [value];
    const shifted = range.map((v) => (v.trim() === '' ? '' : shiftOne(v, days)));
    if (shifted.some((s) => s === undefined)) return undefined;
    parts.push(shifted.join('-'));
  }
  return parts.join('\\');
}

/**
 * Retain Patient Characteristics keeps ages, but an age above the cap (89:
 * HIPAA Safe Harbor) identifies: it becomes the cap + 1 in years ("090Y").
 * Returns the value to write, whether it was capped, or undefined when the
 * value is not an age at all.
 */
export function capAge(value: string, capYears: number): { value: string; capped: boolean } | undefined {
  const m = /^(\d{1,3})([DWMY]?)$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] || 'Y';
  const years = unit === 'Y' ? n : unit === 'M' ? n / 12 : unit === 'W' ? n / 52.1775 : n / 365.25;
  if (years > capYears) return { value: `${pad(Math.min(capYears + 1, 999), 3)}Y`, capped: true };
  return { value, capped: false };
}
