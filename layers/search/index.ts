/** Pure faceted search: rows -> snapshot columns -> counts and pages. No AWS here. */
export * from './model';
export { buildSnapshot, snapshotRows, snapshotBytes, studyUidAt, facetValuesAt, type Snapshot } from './snapshot';
export { encodeSnapshot, decodeSnapshot, SnapshotFormatError } from './codec';
export { search, matchingRows, studyView, type SearchOptions } from './query';
export { InvalidSearchCursor } from './cursor';
export { withheldRows } from './withheld-rows';
export { mergeRows } from './merge';
