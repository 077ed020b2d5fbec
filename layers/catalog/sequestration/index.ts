/** Sequestration: the stratified split, its balance report, the ledger, Jensen-Shannon distance (docs/sequestration.md). */
export * from './case-profiles';
export * from './split';
export * from './balance';
export * from './ledger';
export * from './jsd';
