import type { PreparedFile } from './prepare';

/**
 * What the upload page does with a prepared file: send it (`checked`), hold it unless the site
 * chooses to send the files the rules would quarantine (`held`), or never send it (`refused`: its
 * de-identified copy failed the independent verifier, or nothing readable came out). Pure, so the
 * rule that a refused file never leaves is tested without a browser.
 */
export type Verdict = 'checked' | 'held' | 'refused';

export function verdictOf(prepared: Pick<PreparedFile, 'outcome' | 'verification' | 'bytes'>): Verdict {
  if (prepared.verification && !prepared.verification.passed) return 'refused';
  if (prepared.bytes.byteLength === 0) return 'refused';
  return prepared.outcome === 'quarantine' ? 'held' : 'checked';
}

/** Whether a file goes into the submission: never a refused one, a held one only when the site asked for it. */
export function mayUpload(verdict: Verdict | 'waiting' | 'failed', sendHeld: boolean): boolean {
  return verdict === 'checked' || (verdict === 'held' && sendHeld);
}

/** The words for a refused file: its own path and the verifier's failing checks (names and keywords, never values). */
export function refusalText(relativePath: string, prepared: Pick<PreparedFile, 'verification' | 'bytes'>): string {
  const failed = prepared.verification && !prepared.verification.passed ? prepared.verification.failedChecks : [];
  if (failed.length > 0) return `${relativePath}: not uploaded: its de-identified copy failed the verifier (${failed.join(', ')})`;
  return `${relativePath}: not uploaded: it could not be read as DICOM`;
}
