import { z } from 'zod';
import { DEFAULT_INFLATION_POLICY, INFLATION_CEILING_BYTES, MAX_INFLATION_RATIO } from '../dicom';
import { DEFAULT_BURNED_IN_TEXT_POLICY } from '../ingest/burned-in/policy';
import type { ConfiguredSeverity, Severity } from './types';

/**
 * A project's QA configuration: its scope, the transfer syntaxes it accepts, the
 * SOP classes that always need pixel review, each rule's severity, and how long a
 * sealed submission waits for announced files that never arrive. Stored as JSON,
 * validated here; DEFAULT_QA_CONFIG applies where a project says nothing.
 */
const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/, 'must be a DICOM UID')
  .max(64);

export const TRANSFER_SYNTAXES = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  // HTJ2K: the pixel layer decodes all three (OpenJPH), so the pipeline's pixel checks and WADO-RS read them.
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
  rle: '1.2.840.10008.1.2.5',
  // Not Deflated Image Frame Compression (1.2.840.10008.1.2.8.1): no decoder here, and no reference encoder to test one against (docs/qa.md).
} as const;

/** Transfer syntaxes whose Pixel Data is native (not encapsulated): the pixel length rule applies to them. */
export const NATIVE_TRANSFER_SYNTAXES: readonly string[] = [
  TRANSFER_SYNTAXES.implicitLittle,
  TRANSFER_SYNTAXES.explicitLittle,
  TRANSFER_SYNTAXES.deflated,
  TRANSFER_SYNTAXES.explicitBig,
];

/**
 * SOP classes whose pixels commonly carry burned-in text (screen captures,
 * ultrasound, video): always reviewed by a curator before release.
 */
export const DEFAULT_PIXEL_REVIEW_SOP_CLASSES: readonly string[] = [
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.1',
  '1.2.840.10008.5.1.4.1.1.7.2',
  '1.2.840.10008.5.1.4.1.1.7.3',
  '1.2.840.10008.5.1.4.1.1.7.4', // multi-frame SC
  '1.2.840.10008.5.1.4.1.1.6.1',
  '1.2.840.10008.5.1.4.1.1.3.1', // ultrasound, ultrasound multi-frame
  '1.2.840.10008.5.1.4.1.1.77.1.1.1',
  '1.2.840.10008.5.1.4.1.1.77.1.4.1', // video endoscopic, video photographic
];

const severity = z.enum(['off', 'warn', 'quarantine']);

export const qaConfigSchema = z
  .object({
    /** Modalities in scope. MR is supported and configurable; the default scope is radiographs and CT. */
    modalities: z
      .array(z.string().regex(/^[A-Z0-9]{1,16}$/, 'must be a DICOM modality code'))
      .min(1)
      .default(['CR', 'DX', 'CT']),
    transferSyntaxes: z.array(uid).min(1).default(Object.values(TRANSFER_SYNTAXES)),
    pixelReviewSopClasses: z.array(uid).default([...DEFAULT_PIXEL_REVIEW_SOP_CLASSES]),
    /** Severity per rule id; a rule not named keeps its default. */
    rules: z.record(z.string(), severity).default({}),
    /** Hours after sealing before announced files that never arrived are marked missing. */
    missingFileGraceHours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(24),
    /**
     * How far a Deflated Explicit VR Little Endian file may inflate at intake (Parse; the same
     * check runs on originals offline): at most `maxRatio` times the object's declared size above
     * a 16 MiB floor, and never beyond `maxBytes`, itself at most the 256 MiB ceiling every reader
     * keeps. Beyond: quarantined as InflationLimitExceeded (docs/deidentification.md).
     */
    inflation: z
      .object({
        maxBytes: z.number().int().positive().max(INFLATION_CEILING_BYTES).default(DEFAULT_INFLATION_POLICY.maxBytes),
        maxRatio: z.number().min(1).max(MAX_INFLATION_RATIO).default(DEFAULT_INFLATION_POLICY.maxRatio),
      })
      .strict()
      .default({}),
    /**
     * Burned-in text found by OCR (docs/deidentification.md, "Text burned into pixels"): which images
     * are checked (modalities, SOP classes and their families, ImageType values), the time one image's
     * check may take (beyond it the file is held as ocr-timeout) and the longest side OCR reads.
     */
    burnedInText: z
      .object({
        enabled: z.boolean().default(DEFAULT_BURNED_IN_TEXT_POLICY.enabled),
        modalities: z
          .array(z.string().regex(/^[A-Z0-9]{1,16}$/, 'must be a DICOM modality code'))
          .default([...DEFAULT_BURNED_IN_TEXT_POLICY.modalities]),
        sopClasses: z.array(uid).default([...DEFAULT_BURNED_IN_TEXT_POLICY.sopClasses]),
        imageTypeValues: z
          .array(z.string().regex(/^[A-Z0-9_ ]{1,16}$/, 'must be an ImageType code'))
          .default([...DEFAULT_BURNED_IN_TEXT_POLICY.imageTypeValues]),
        budgetMs: z.number().int().min(100).max(60_000).default(DEFAULT_BURNED_IN_TEXT_POLICY.budgetMs),
        maxDimension: z.number().int().min(256).max(8192).default(DEFAULT_BURNED_IN_TEXT_POLICY.maxDimension),
      })
      .strict()
      .default({}),
    /**
     * The Clean Pixel Data Option for known layouts (docs/deidentification.md, "Clean Pixel Data"): off
     * by default. On, the Deidentify step blanks the tabled regions of an image whose device matches a
     * layout and records 113101; a cleaned image whose OCR check finds no text outside the regions is
     * not held for pixel review on header evidence or its SOP class.
     */
    cleanPixelData: z.boolean().default(false),
  })
  .strict();

export type QaConfig = z.output<typeof qaConfigSchema>;
export type QaConfigInput = z.input<typeof qaConfigSchema>;

export const DEFAULT_QA_CONFIG: QaConfig = qaConfigSchema.parse({});

/** The configuration is not valid: unknown rule ids, a rule that may not be relaxed, bad values. */
export class InvalidQaConfig extends Error {
  override readonly name = 'InvalidQaConfig';
}

/** Rules that protect the commons itself: a project may not lower them. */
/** uids.duplicate-sop too: letting a conflicting copy through would overwrite the released object. */
export const FIXED_RULES: readonly string[] = ['dicom.parses', 'deid.verified', 'uids.duplicate-sop'];

/** Validates a project's configuration against the known rule ids. */
export function parseQaConfig(input: unknown, knownRuleIds: readonly string[]): QaConfig {
  const parsed = qaConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new InvalidQaConfig(
      `invalid QA configuration: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const unknown = Object.keys(parsed.data.rules).filter((id) => !knownRuleIds.includes(id));
  if (unknown.length > 0) throw new InvalidQaConfig(`invalid QA configuration: unknown rule id(s) ${unknown.join(', ')}`);
  const relaxed = FIXED_RULES.filter((id) => parsed.data.rules[id] !== undefined && parsed.data.rules[id] !== 'quarantine');
  if (relaxed.length > 0) throw new InvalidQaConfig(`invalid QA configuration: ${relaxed.join(', ')} always quarantine`);
  return parsed.data;
}

export function severityOf(config: QaConfig, ruleId: string, fallback: Severity): ConfiguredSeverity {
  return config.rules[ruleId] ?? fallback;
}
