/** Privacy-preserving record linkage (docs/linkage.md): identifiers normalized and hashed at the site, token sets matched by the commons. Pure. */
export {
  normalizePerson,
  normalizeFirstName,
  normalizeLastName,
  normalizeBirthDate,
  normalizeSex,
  normalizeZip3,
  foldLetters,
  NICKNAMES,
  IdentifierError,
  type PersonIdentifiers,
  type NormalizedPerson,
} from './normalize';
export { soundex } from './soundex';
export { LINK_VARIANTS, LINK_VARIANT_NAMES, TOKEN_PATTERN, isLinkVariant, linkTokens, type LinkTokens, type LinkVariant } from './variants';
export { linkageKeyFrom, WeakLinkageKey, MIN_LINKAGE_KEY_BYTES } from './linkage-key';
export {
  LinkIndex,
  isMatch,
  MIN_AGREEING_VARIANTS,
  type StoredCaseTokens,
  type QueryPerson,
  type LinkMatch,
  type PersonMatches,
} from './match';
export {
  rosterTokens,
  tokenSheetCsv,
  parseTokenSheet,
  ROSTER_COLUMNS,
  TOKEN_SHEET_COLUMNS,
  MAX_TOKEN_ROWS,
  MAX_CASES_PER_REQUEST,
  type CaseLinkTokens,
  type LinkSheetError,
  type LinkSheetResult,
} from './token-sheet';
export { INDEXED_VARIANTS, queryLookups, indexChanges, indexedTokens, missingIndexedVariants, type TokenLookup } from './token-index';
export { tokenSheetParts, type TokenSheetPart } from './sheet-parts';
