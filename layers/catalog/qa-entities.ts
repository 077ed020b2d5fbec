/** QA's records in the catalog (docs/qa.md): findings, per-file and per-submission results, quarantine records and their review. Pure types. */

/** A finding as stored: rule id, severity, value-free message, and what it is about. */
export interface StoredFinding {
  readonly ruleId: string;
  readonly severity: 'warn' | 'quarantine';
  readonly message: string;
  readonly fileId?: string;
  readonly studyUid?: string;
  readonly seriesUid?: string;
}

export interface FileQaResult {
  readonly submissionId: string;
  readonly fileId: string;
  readonly outcome: 'pass' | 'warn' | 'quarantine';
  readonly findings: readonly StoredFinding[];
  readonly evaluatedAt: string;
}

export interface SubmissionQaResult {
  readonly submissionId: string;
  readonly findings: readonly StoredFinding[];
  /** Files the series/study rules sent back to quarantine. */
  readonly quarantinedFileIds: readonly string[];
  readonly evaluatedAt: string;
}

export type QuarantineStatus = 'quarantined' | 'released' | 'rejected';

export interface QuarantineReview {
  readonly action: 'released' | 'rejected';
  /** The curator's subject. */
  readonly by: string;
  readonly at: string;
  readonly reason: string;
  readonly overrides: readonly string[];
}

export interface QuarantineRecord {
  /** The file id: one record per quarantined file. */
  readonly quarantineId: string;
  readonly submissionId: string;
  readonly fileId: string;
  readonly project: string;
  readonly site: string;
  /** `original`: the uploaded (PHI) file, quarantined during ingest; `deidentified`: a staged copy a study rule sent back. */
  readonly objectKind: 'original' | 'deidentified';
  readonly objectKey: string;
  readonly sidecarKey: string;
  readonly reasonCode: string;
  /** Rule ids of the blocking findings (or the error's rule id). */
  readonly rules: readonly string[];
  readonly findings: readonly StoredFinding[];
  readonly status: QuarantineStatus;
  readonly quarantinedAt: string;
  readonly failedAfter?: string;
  readonly studyUid?: string;
  readonly seriesUid?: string;
  readonly sopUid?: string;
  readonly review?: QuarantineReview;
  /**
   * Where OCR found identifying text in the pixels (original image pixels; token classes, never the
   * text): the boxes the curator's review draws (issue 18).
   */
  readonly textRegions?: readonly QuarantineTextRegion[];
}

export interface QuarantineTextRegion {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly classes: readonly string[];
}

export interface QuarantineFilter {
  readonly project?: string;
  readonly ruleId?: string;
  readonly submissionId?: string;
  readonly status?: QuarantineStatus;
}
