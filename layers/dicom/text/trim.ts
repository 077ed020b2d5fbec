/**
 * Trailing padding removed in one backward scan. The regular expressions this
 * replaces (`/[\0 ]+$/`, `/\0+$/`, `/=+$/`) restart at every padding character
 * that is not at the end, so a value of a million spaces followed by a letter
 * took minutes (time grows with the square of the run).
 */

/** `text` without the characters of `padding` at its end (`trimEndOf(v, ' \0')` for DICOM value padding). */
export function trimEndOf(text: string, padding: string): string {
  let end = text.length;
  if (padding.length === 1) {
    const pad = padding.charCodeAt(0);
    while (end > 0 && text.charCodeAt(end - 1) === pad) end -= 1;
  } else {
    while (end > 0 && padding.includes(text.charAt(end - 1))) end -= 1;
  }
  return end === text.length ? text : text.slice(0, end);
}
