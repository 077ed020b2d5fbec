/**
 * The largest object the ingest workflow takes. Its tasks read an object whole in a
 * 1 GB Lambda, and Verify holds it together with its de-identified copy: a larger file
 * could only run a task out of memory. Announcing a larger file is refused (400), and an
 * intake object above it is quarantined as ObjectTooLarge without being read.
 */
export const MAX_INGEST_OBJECT_BYTES = 256 * 1024 * 1024;
