/**
 * The de-identification engine: one walk of the scanned file (part10.ts), a
 * decision per element from the profile's resolved Annex E table, the shared
 * keep-list and the safe-private list, and a rebuilt header. What is kept is
 * copied as the input's own bytes; what changes is encoded by encode.ts; the
 * Pixel Data value is a slice of the input, never decoded or copied here.
 */
import type { dictionaryEntry as DictionaryEntryFn } from '../dcmjs';
import { allocBytes, byteLengthOf, concatBytes, decodeText, decodingView, encodeText } from '../../common/bytes';
import { scanPart10, TRANSFER_SYNTAX, lazyZlib, type ScannedElement, type ScannedFile } from '../part10';
import type { DeidProfile } from '../profiles';
import { instanceIdentity, summarize, type InstanceSummary } from '../summary';
import { DicomParseError } from '../errors';
import { dictionaryVrs, formatTag, isPrivateGroup, TAG, vrAllowed, type TagKey } from '../tags';
import { textEncoding, topLevel } from '../values';
import { valueConforms } from '../value-form';
import { trimEndOf } from '../text/trim';
import { decodeIso2022Jp, encodeIso2022Jp, namesIso2022Jp } from '../text/iso2022-jp';
import { repeatingGroupKey, resolveCode, rulesFor, type Action, type Rule } from './annex-e';
import { IdentifierScrubber, IDENTIFIER_SOURCES } from './clean-text';
import { EmbeddedIdentifiers } from './embedded-identifiers';
import { capAge, dateShiftDays, shiftValue } from './dates';
import { dummyValue, header, itemTag, textValue, UNDEFINED_LENGTH, type Syntax } from './encode';
import { keptTags } from './keep-list';
import { deidentificationMethod, methodCodes, temporalInformation } from './marking';
import { KEY_FINGERPRINT_PREFIX, keyFingerprint } from './key-fingerprint';
import { pixelReviewReasons, type PixelReviewReason } from './pixel-review';
import { patientPseudonym } from './pseudonym';
import { remapUid, type KeyOptions } from './remap-uid';
import { isSafeCreator, safePrivate } from './safe-private';

export type Counts = Record<string, number>;

export interface DeidentifyOutput {
  /** The de-identified Part 10 file (joined from `chunks` on first access). */
  readonly bytes: Uint8Array;
  /** The file in write order: the header's pieces, then the input's Pixel Data bytes as a view, then anything after. */
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
  /** Of the output (remapped UIDs). */
  readonly summary: InstanceSummary;
  /** needs-pixel-review when the pixels may show identity (pixelReview says why). */
  readonly outcome: 'ok' | 'needs-pixel-review';
  readonly pixelReview: readonly PixelReviewReason[];
  /** Counts keyed `${keyword}:${action}`, e.g. "PatientName:pseudonym", "private:X", "StudyDate:shift"; never values. */
  readonly actionCounts: Counts;
  /** The profile's name. */
  readonly profile: string;
}

/** hilum's Implementation Class UID (a UUID-derived 2.25 root), written into every output File Meta. */
export const IMPLEMENTATION_CLASS_UID = '2.25.204684181059408441375702853910960166532';
export const IMPLEMENTATION_VERSION_NAME = 'HILUM_0_2';

/** Element kinds for the clean (C) action. */
const TEXT_VRS = new Set(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT']);
/** Text VRs a person can type free text into (a safe private one of these is cleaned). */
const FREE_TEXT_VRS = new Set(['LO', 'LT', 'SH', 'ST', 'UC', 'UT']);
/** Elements the engine writes itself at top level (any input value is replaced). */
const SET_AT_TOP: ReadonlySet<TagKey> = new Set([
  TAG.PatientName,
  TAG.PatientID,
  TAG.PatientIdentityRemoved,
  TAG.DeidentificationMethod,
  TAG.DeidentificationMethodCodeSequence,
  '00280303',
]);

/**
 * Identifiers besides names whose whole value, found in a kept text, means a tag swap moved it there: PatientID,
 * OtherPatientIDs, AccessionNumber, StudyID, InstitutionName, InstitutionAddress, InstitutionalDepartmentName, StationName.
 */
const WHOLE_IDENTIFIERS: ReadonlySet<TagKey> = new Set([
  '00100020',
  '00101000',
  '00080050',
  '00200010',
  '00080080',
  '00080081',
  '00081040',
  '00081010',
]);

/** An element's value as text, trailing padding removed. */
function textOf(data: Uint8Array, encoding: 'utf8' | 'latin1', el: ScannedElement): string {
  return trimEndOf(decodeText(data, encoding, el.valueStart, el.valueEnd), ' \0');
}

interface Node {
  el: ScannedElement;
  items?: Node[][];
}

interface Entry {
  key: TagKey;
  chunks: Uint8Array[];
}

/** Rebuilds the nesting from the scanner's flat, file-ordered list. */
function buildTree(elements: readonly ScannedElement[]): Node[] {
  const nodes: Node[] = [];
  const top: Node[] = [];
  for (const el of elements) {
    const node: Node = el.itemCount === undefined ? { el } : { el, items: Array.from({ length: el.itemCount }, () => []) };
    nodes.push(node);
    if (el.parent < 0) top.push(node);
    else nodes[el.parent]?.items?.[el.item]?.push(node);
  }
  return top;
}

/**
 * What the profile says of a public tag wherever it appears: its Annex E rule
 * (by tag, else by repeating group), the keep-list's name for it, the keyword
 * to count under and the action; undefined rule and keep name mean removal.
 */
interface Decision {
  rule: Rule | undefined;
  keyword: string;
  action: Action;
  removed: boolean;
  /** The VRs the data dictionary allows for the tag ("PN", "US|SS"); undefined when it does not know the tag. */
  vrs: string | undefined;
}

interface CompiledProfile {
  rules: ReadonlyMap<TagKey, Rule>;
  keep: ReadonlyMap<TagKey, string>;
  /** Decisions by tag, made on first sight: files repeat the same tags. */
  decisions: Map<TagKey, Decision>;
}

/** Resolved rules are per profile object: build once, reuse for every file. */
const RULES = new WeakMap<DeidProfile, CompiledProfile>();
function compiled(profile: DeidProfile): CompiledProfile {
  let entry = RULES.get(profile);
  if (!entry) {
    entry = { rules: rulesFor(profile), keep: keptTags(profile), decisions: new Map() };
    RULES.set(profile, entry);
  }
  return entry;
}

/** Bounded: a hostile file can carry any number of distinct public tags. */
const DECISIONS_LIMIT = 16384;
function decisionFor(profile: CompiledProfile, key: TagKey, tag: number): Decision {
  let decision = profile.decisions.get(key);
  if (!decision) {
    const pattern = repeatingGroupKey(key);
    const rule = profile.rules.get(key) ?? (pattern ? profile.rules.get(pattern) : undefined);
    const keepName = profile.keep.get(key);
    const removed = !rule && keepName === undefined;
    decision = {
      rule,
      keyword: rule?.keyword ?? keepName ?? keywordOf(key),
      action: removed ? 'X' : (rule?.action ?? 'K'),
      removed,
      vrs: removed ? undefined : dictionaryVrs(tag),
    };
    if (profile.decisions.size >= DECISIONS_LIMIT) profile.decisions.clear();
    profile.decisions.set(key, decision);
  }
  return decision;
}

/**
 * Keyed results repeat across the files of a batch: a series shares its study,
 * series and frame of reference UIDs, a patient its pseudonym and date shift.
 * Each HMAC result is memoised per secret, project and site (the results are pure
 * functions of their inputs, so the output bytes are the same), bounded so a
 * long batch of unrelated files cannot grow it without limit.
 */
const MEMO_LIMIT = 4096;
const memos = new Map<string, Map<string, string>>();
function memoFor(keys: KeyOptions): Map<string, string> {
  const id = `${keys.project}\0${keys.site}\0${keys.secret}`;
  let memo = memos.get(id);
  if (!memo) {
    if (memos.size >= 8) memos.clear();
    memo = new Map();
    memos.set(id, memo);
  }
  return memo;
}
function memoised(memo: Map<string, string>, key: string, make: () => string): string {
  let value = memo.get(key);
  if (value === undefined) {
    value = make();
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, value);
  }
  return value;
}

const KEYWORDS = new Map<TagKey, string>();
let dictionary: typeof DictionaryEntryFn | undefined;
/** Keyword to count a removal under; the dictionary (dcmjs, ~100 ms to load) is loaded on first need only. */
function keywordOf(key: TagKey): string {
  let keyword = KEYWORDS.get(key);
  if (keyword === undefined) {
    dictionary ??= (require('../dcmjs') as { dictionaryEntry: typeof DictionaryEntryFn }).dictionaryEntry;
    keyword = dictionary(key)?.keyword.replace(/^RETIRED_/, '') ?? formatTag(key);
    KEYWORDS.set(key, keyword);
  }
  return keyword;
}

/**
 * The files of a series carry the same identifiers (names, IDs, dates), so
 * they share one scrubber and its automaton. Keyed by every source value and
 * kind in file order; bounded, and sources longer than any real series' are
 * not remembered (the key would hold them).
 */
const SCRUBBERS = new Map<string, IdentifierScrubber>();
const SCRUBBERS_LIMIT = 256;
const SCRUBBER_KEY_LIMIT = 16_384;
function scrubberFor(sources: ReadonlyArray<[string, 'name' | 'id' | 'text' | 'date']>, shiftDays: number | undefined): IdentifierScrubber {
  const id = `${shiftDays ?? ''}\u0001${sources.map(([text, kind]) => `${kind}\0${text}`).join('\u0001')}`;
  let scrubber = SCRUBBERS.get(id);
  if (!scrubber) {
    scrubber = new IdentifierScrubber(shiftDays);
    for (const [text, kind] of sources) scrubber.add(text, kind);
    if (id.length > SCRUBBER_KEY_LIMIT) return scrubber;
    if (SCRUBBERS.size >= SCRUBBERS_LIMIT) SCRUBBERS.clear();
    SCRUBBERS.set(id, scrubber);
  }
  return scrubber;
}

/** How long the text cleaning of one file may take (from the start of its de-identification), unless told otherwise. */
export const DEFAULT_TIME_BUDGET_MS = 10_000;

export interface EngineLimits {
  /** Milliseconds one file may take; past them cleaning its text throws DeidentificationTimeout. */
  timeBudgetMs?: number;
}

/**
 * Encoded entries are shared: an entry is only read once made (its chunks are
 * copied into each output), so one made for an earlier file serves later ones.
 */
const TEXT_ENTRIES = new Map<string, Entry>();
const TEXT_ENTRIES_LIMIT = 4096;
/** Longer texts are encoded each time: 4,096 remembered 64 KB texts would hold half a gigabyte across files. */
const TEXT_ENTRY_TEXT_LIMIT = 1024;

/** Shifted dates by value, shift and VR: a series repeats its dates. */
const SHIFTED = new Map<string, string | undefined>();
function shiftedDate(original: string, vr: 'DA' | 'DT', days: number): string | undefined {
  const id = `${vr}|${days}|${original}`;
  if (SHIFTED.has(id)) return SHIFTED.get(id);
  const shifted = shiftValue(original, vr, days);
  if (SHIFTED.size >= 4096) SHIFTED.clear();
  SHIFTED.set(id, shifted);
  return shifted;
}

const FIXED_MARKINGS = new WeakMap<DeidProfile, Map<string, readonly Entry[]>>();

class Engine {
  /** `${keyword}:${action}` -> count; a Map while working (cheaper than a growing object), an object in the output. */
  private readonly countMap = new Map<string, number>();
  private readonly data: Uint8Array;
  private readonly compiledProfile: CompiledProfile;
  private readonly scrubber: IdentifierScrubber;
  private readonly shiftDays: number | undefined;
  private readonly memo: Map<string, string>;
  /** The file's names and ids as whole values (lower case), and their byte lengths: a kept text equal to one is that identifier moved. */
  private readonly identifierValues = new Set<string>();
  private readonly identifierLengths = new Set<number>();
  /** The file's dates and non-standard UIDs: a kept text holding one, even inside a longer run of digits, is a UID or date moved there. */
  private readonly embedded = new EmbeddedIdentifiers();
  /** Specific Character Set names ISO 2022 IR 87: text is decoded as ISO-2022-JP (names in kanji and kana), and cleaned text written back so. */
  private readonly jis: boolean;

  constructor(
    private readonly file: ScannedFile,
    private readonly syntax: Syntax,
    private readonly encoding: 'utf8' | 'latin1',
    private readonly profile: DeidProfile,
    private readonly keys: KeyOptions,
    patientKey: string,
    private readonly deadline: number,
  ) {
    this.data = decodingView(file.dataSet);
    const charset = file.elements.find((e) => e.parent < 0 && e.key === TAG.SpecificCharacterSet);
    this.jis = charset !== undefined && namesIso2022Jp(textOf(this.data, 'latin1', charset));
    this.compiledProfile = compiled(profile);
    this.memo = memoFor(keys);
    const { minShiftDays, maxShiftDays } = profile.dates;
    this.shiftDays = profile.options.retainLongitudinalModifiedDates
      ? Number(
          memoised(this.memo, `dateshift\0${minShiftDays}\0${maxShiftDays}\0${patientKey}`, () =>
            String(dateShiftDays(patientKey, keys, profile)),
          ),
        )
      : undefined;
    const sources: Array<[string, 'name' | 'id' | 'text' | 'date']> = [];
    for (const el of file.elements) {
      const kind = IDENTIFIER_SOURCES.get(el.key);
      if (kind) {
        const text = this.text(el);
        sources.push([text, kind]);
        if (kind === 'name' || WHOLE_IDENTIFIERS.has(el.key)) this.rememberIdentifier(text);
      } else if (el.vr === 'DA' || el.vr === 'DT')
        sources.push([
          this.text(el)
            .split('\\')
            .map((v) => v.slice(0, 8))
            .join('\\'),
          'date',
        ]);
      // By VR too: a person's name wherever it is (one under another attribute's tag is removed, but may recur in kept text).
      else if (el.vr === 'PN') sources.push([this.text(el), 'name']);
      if (el.vr === 'DA' || el.vr === 'DT') this.embedded.addDates(this.text(el));
      else if (el.vr === 'UI') this.embedded.addUids(this.text(el));
    }
    this.scrubber = scrubberFor(sources, this.shiftDays);
  }

  private rememberIdentifier(text: string): void {
    for (const value of text.split('\\')) {
      const whole = value.trim();
      if (whole.length < 2) continue;
      this.identifierValues.add(whole.toLowerCase());
      this.identifierLengths.add(this.jis ? (encodeIso2022Jp(whole)?.byteLength ?? -1) : byteLengthOf(whole, this.encoding));
    }
  }

  /** Whether a kept text value is, whole, one of the file's names or ids (a tag swap moved it under a kept attribute). Decodes only on a length match. */
  private isIdentifier(el: ScannedElement): boolean {
    if (this.identifierLengths.size === 0) return false;
    let end = el.valueEnd;
    while (end > el.valueStart && (this.data[end - 1] === 0x20 || this.data[end - 1] === 0)) end -= 1;
    let start = el.valueStart;
    while (start < end && this.data[start] === 0x20) start += 1;
    if (!this.identifierLengths.has(end - start)) return false;
    const text = this.jis ? decodeIso2022Jp(this.data, start, end) : decodeText(this.data, this.encoding, start, end);
    return this.identifierValues.has(text.toLowerCase());
  }

  count(name: string, action: string, n = 1): void {
    const key = `${name}:${action}`;
    this.countMap.set(key, (this.countMap.get(key) ?? 0) + n);
  }

  /** The counts in the order they were first made (the report's order). */
  get counts(): Counts {
    return Object.fromEntries(this.countMap);
  }

  text(el: ScannedElement): string {
    if (this.jis) return trimEndOf(decodeIso2022Jp(this.data, el.valueStart, el.valueEnd), ' \0');
    return textOf(this.data, this.encoding, el);
  }

  remap(uid: string): string {
    return memoised(this.memo, uid, () => remapUid(uid, this.keys));
  }

  pseudonym(patientKey: string): string {
    return memoised(this.memo, `patient\0${patientKey}`, () => patientPseudonym(patientKey, this.keys));
  }

  raw(el: ScannedElement): Entry {
    return { key: el.key, chunks: [this.data.subarray(el.headerStart, el.valueEnd)] };
  }

  value(key: TagKey, vr: string | undefined, bytes: Uint8Array): Entry {
    return { key, chunks: [header(key, vr, bytes.byteLength, this.syntax), bytes] };
  }

  /** Encoded once per tag, VR, text and encoding: the files of a series repeat their new values (remapped UIDs, shifted dates, pseudonyms). */
  textEntry(key: TagKey, vr: string | undefined, text: string): Entry {
    if (text.length > TEXT_ENTRY_TEXT_LIMIT) return this.value(key, vr, textValue(text, vr, this.encoding));
    const id = `${key}|${vr ?? ''}|${this.syntax.little ? 'L' : 'B'}${this.syntax.explicit ? 'E' : 'I'}|${this.encoding}|${text}`;
    let entry = TEXT_ENTRIES.get(id);
    if (!entry) {
      entry = this.value(key, vr, textValue(text, vr, this.encoding));
      if (TEXT_ENTRIES.size >= TEXT_ENTRIES_LIMIT) TEXT_ENTRIES.clear();
      TEXT_ENTRIES.set(id, entry);
    }
    return entry;
  }

  sequence(key: TagKey, items: readonly Entry[][]): Entry {
    const chunks: Uint8Array[] = [header(key, 'SQ', UNDEFINED_LENGTH, this.syntax)];
    for (const item of items) {
      chunks.push(itemTag('E000', UNDEFINED_LENGTH, this.syntax));
      for (const entry of item) chunks.push(...entry.chunks);
      chunks.push(itemTag('E00D', 0, this.syntax));
    }
    chunks.push(itemTag('E0DD', 0, this.syntax));
    return { key, chunks };
  }

  /** A data set (top level or one item): each element's decision, in tag order. */
  dataSet(nodes: readonly Node[], depth: number): Entry[] {
    const creators = new Map<string, string>();
    for (const node of nodes) {
      const group = node.el.tag >>> 16;
      const element = node.el.tag & 0xffff;
      if (isPrivateGroup(group) && element >= 0x10 && element <= 0xff) creators.set(`${group}|${element}`, this.text(node.el).trim());
    }
    const out: Entry[] = [];
    for (const node of nodes) {
      if (depth === 0 && SET_AT_TOP.has(node.el.key)) continue;
      const entry = this.element(node, depth, creators);
      if (entry) out.push(entry);
    }
    return out;
  }

  private element(node: Node, depth: number, creators: ReadonlyMap<string, string>): Entry | undefined {
    const { el } = node;
    const group = el.tag >>> 16;
    const element = el.tag & 0xffff;
    if (isPrivateGroup(group)) return this.privateElement(node, group, element, creators);
    if (element === 0) {
      // Group lengths (retired outside File Meta) go stale as soon as anything is removed.
      this.count('GroupLength', 'X');
      return undefined;
    }
    if (depth === 0 && el.key === TAG.PixelData) return this.pixelData(el);
    const decision = decisionFor(this.compiledProfile, el.key, el.tag);
    if (decision.removed) {
      // Allow-list posture: not in Annex E, not in the keep-list: removed.
      this.count(decision.keyword, 'X');
      return undefined;
    }
    if (
      this.syntax.explicit &&
      decision.vrs !== undefined &&
      el.vr !== undefined &&
      el.vr !== decision.vrs &&
      !vrAllowed(decision.vrs, el.vr)
    ) {
      // A value under another attribute's tag (a swapped or broken tag): it is not what the tag names, so no rule for the tag applies to it.
      this.count(decision.keyword, 'vr-mismatch');
      return undefined;
    }
    return this.apply(node, decision.action, decision.keyword, decision.rule, depth);
  }

  private apply(node: Node, action: Action, keyword: string, rule: Rule | undefined, depth: number): Entry | undefined {
    const { el } = node;
    const isSequence = node.items !== undefined;
    if (isSequence && el.vr !== 'SQ') {
      // A public UN that is really a sequence (CP-246) would need re-encoding from Implicit VR: removed.
      this.count(keyword, 'X');
      return undefined;
    }
    if ((action === 'K' || action === 'C') && !isSequence && !valueConforms(this.data, el.valueStart, el.valueEnd, el.vr, el.key)) {
      // Not a value of the VR its tag reads as (in Implicit VR, a value moved under this tag): the same policy as an explicit mismatch.
      this.count(keyword, 'vr-mismatch');
      return undefined;
    }
    switch (action) {
      case 'X':
        this.count(keyword, 'X');
        return undefined;
      case 'Z':
        this.count(keyword, 'Z');
        return isSequence ? this.sequence(el.key, []) : this.value(el.key, el.vr, new Uint8Array(0));
      case 'D':
        // A sequence gets no invented item: an empty sequence leaks nothing.
        this.count(keyword, 'D');
        return isSequence ? this.sequence(el.key, []) : this.value(el.key, el.vr, dummyValue(el.vr));
      case 'U':
        if (isSequence) return this.keepSequence(node, depth);
        this.count(keyword, 'U');
        return this.textEntry(
          el.key,
          el.vr === 'UN' ? 'UI' : el.vr,
          this.text(el)
            .split('\\')
            .map((v) => trimEndOf(v, ' \0').trim())
            .map((v) => (v === '' ? v : this.remap(v)))
            .join('\\'),
        );
      case 'K':
        if (isSequence) return this.keepSequence(node, depth);
        return this.keptValue(node, keyword);
      case 'C':
        if (isSequence) return this.keepSequence(node, depth);
        return this.cleanValue(node, keyword, rule);
    }
  }

  private keepSequence(node: Node, depth: number): Entry {
    return this.sequence(
      node.el.key,
      (node.items ?? []).map((item) => this.dataSet(item, depth + 1)),
    );
  }

  /** K still treats dates by VR: shifted, kept (full dates) or emptied (no date option), and ages are capped. */
  private keptValue(node: Node, keyword: string): Entry | undefined {
    const { el } = node;
    if (el.vr === 'DA' || el.vr === 'DT') return this.dateValue(el, keyword);
    if (el.vr === 'AS') return this.ageValue(el, keyword);
    if (el.vr === 'UN') return this.keptUnknown(node, keyword);
    // An identifying attribute the profile keeps (an institution under Retain Institution Identity) is its own value, not a moved one.
    if (
      el.vr !== undefined &&
      TEXT_VRS.has(el.vr) &&
      !IDENTIFIER_SOURCES.has(el.key) &&
      (this.isIdentifier(el) || this.holdsDateOrUid(el))
    ) {
      this.count(keyword, 'identifier-moved');
      return undefined;
    }
    return this.raw(el);
  }

  /** Whether a text value holds one of the file's dates or UIDs anywhere (a UID moved under a text attribute carries both). */
  private holdsDateOrUid(el: ScannedElement): boolean {
    return this.embedded.foundIn(this.data, el.valueStart, el.valueEnd);
  }

  /**
   * A public element sent as UN (its sender did not know the attribute) is read by the dictionary's VR, as an
   * Implicit VR file is: a UN label must not keep what the attribute's own VR would not (a name sent as
   * (0010,1010) UN is not a valid age and is emptied). A sequence the scanner could not walk is removed.
   */
  private keptUnknown(node: Node, keyword: string): Entry | undefined {
    const { el } = node;
    const vr = dictionaryVrs(el.tag);
    if (vr === 'SQ') {
      this.count(keyword, 'X');
      return undefined;
    }
    if (vr === 'DA' || vr === 'DT') return this.dateValue({ ...el, vr }, keyword);
    if (vr === 'AS') return this.ageValue({ ...el, vr }, keyword);
    if (!valueConforms(this.data, el.valueStart, el.valueEnd, vr, el.key)) {
      this.count(keyword, 'vr-mismatch');
      return undefined;
    }
    if (vr !== undefined && TEXT_VRS.has(vr) && this.holdsDateOrUid(el)) {
      this.count(keyword, 'identifier-moved');
      return undefined;
    }
    return this.raw(el);
  }

  private cleanValue(node: Node, keyword: string, rule: Rule | undefined): Entry | undefined {
    const { el } = node;
    if (el.vr === 'DA' || el.vr === 'DT') return this.dateValue(el, keyword);
    if (el.vr === 'TM') {
      if (this.profile.dates.keepTimes) return this.raw(el);
      const basic = rule ? resolveCode(rule.basic) : 'X';
      return this.apply(node, basic === 'C' ? 'X' : basic, keyword, undefined, 0);
    }
    if (el.vr === 'AS') return this.ageValue(el, keyword);
    if (el.vr && TEXT_VRS.has(el.vr)) {
      this.count(keyword, 'C');
      return this.cleanedText(el, keyword);
    }
    if (el.vr === 'UN' || el.vr === undefined) {
      // Unknown bytes cannot be cleaned: removed.
      this.count(keyword, 'X');
      return undefined;
    }
    return this.raw(el);
  }

  /** A text value without the identifiers the cleaner finds (dates in it shifted), or removed when it still holds a UID or date of the file. */
  private cleanedText(el: ScannedElement, keyword: string): Entry | undefined {
    const { text, removed, emptied, shifted } = this.scrubber.scrub(this.text(el), this.deadline);
    if (emptied) {
      // Beyond the cleaner's limits: nothing of the text is kept.
      this.count('identifierInText', 'emptied');
      return this.textEntry(el.key, el.vr, '');
    }
    if (removed === 0 && !shifted ? this.holdsDateOrUid(el) : this.embedded.foundInText(text)) {
      // Cleaning removes dates on word boundaries only: one inside a run of digits (a moved UID) is still there.
      this.count(keyword, 'identifier-moved');
      return undefined;
    }
    if (removed === 0 && !shifted) return this.raw(el);
    if (removed) this.count('identifierInText', 'removed', removed);
    if (shifted) this.count('dateInText', 'shift', shifted);
    if (this.jis) {
      // Written back in ISO-2022-JP; a text that did not decode whole (U+FFFD) or cannot be encoded is not kept.
      const bytes = text.includes('\uFFFD') ? undefined : encodeIso2022Jp(text);
      if (bytes === undefined) {
        this.count('identifierInText', 'emptied');
        return this.textEntry(el.key, el.vr, '');
      }
      return this.value(el.key, el.vr, bytes.byteLength % 2 === 0 ? bytes : Uint8Array.from([...bytes, 0x20]));
    }
    return this.textEntry(el.key, el.vr, text);
  }

  private dateValue(el: ScannedElement, keyword: string): Entry | undefined {
    if (this.profile.options.retainLongitudinalFullDates) return this.raw(el);
    const vr = el.vr === 'DT' ? 'DT' : 'DA';
    const original = this.text(el);
    if (this.shiftDays !== undefined && original.trim() !== '') {
      const shifted = shiftedDate(original, vr, this.shiftDays);
      if (shifted !== undefined) {
        this.count(keyword, 'shift');
        return this.textEntry(el.key, el.vr, shifted);
      }
    } else if (this.shiftDays !== undefined) {
      return this.raw(el);
    }
    // No date option, or not a date at all: emptied.
    this.count(keyword, 'Z');
    return this.value(el.key, el.vr, new Uint8Array(0));
  }

  private ageValue(el: ScannedElement, keyword: string): Entry | undefined {
    const original = this.text(el).trim();
    if (original === '') return this.raw(el);
    const age = capAge(original, this.profile.ageCapYears);
    if (!age) {
      this.count(keyword, 'Z');
      return this.value(el.key, el.vr, new Uint8Array(0));
    }
    if (!age.capped) return this.raw(el);
    this.count(keyword, 'capped');
    return this.textEntry(el.key, el.vr, age.value);
  }

  private privateElement(node: Node, group: number, element: number, creators: ReadonlyMap<string, string>): Entry | undefined {
    const { el } = node;
    if (this.profile.options.retainSafePrivate && node.items === undefined) {
      if (element >= 0x10 && element <= 0xff) {
        if (isSafeCreator(group, this.text(el).trim())) return this.raw(el);
      } else if (element > 0xff) {
        const creator = creators.get(`${group}|${element >> 8}`);
        const safe = creator ? safePrivate(group, creator, element & 0xff) : undefined;
        if (
          safe &&
          this.syntax.explicit &&
          el.vr !== undefined &&
          el.vr !== 'UN' &&
          (safe.vr === null ? el.vr === 'PN' : el.vr !== safe.vr)
        ) {
          // Kept only with the VR the safe list gives it (a name is never one of its values): another VR means another value.
          this.count('private', 'vr-mismatch');
          return undefined;
        }
        if (safe) {
          this.count('private', 'K');
          const vr = el.vr === undefined || el.vr === 'UN' ? (safe.vr ?? undefined) : el.vr;
          if (vr === 'DA' || vr === 'DT') return this.dateValue({ ...el, vr }, 'private');
          // Kept private text is cleaned as a kept description is: the safe list vouches for the attribute, not for what a site typed in it.
          if (FREE_TEXT_VRS.has(vr ?? '')) return this.cleanedText({ ...el, vr }, 'private');
          return this.raw(el);
        }
      }
    }
    this.count('private', 'X');
    return undefined;
  }

  /** Top-level Pixel Data: a fresh header (encapsulated data is OB, PS3.5 A.4) and the input's value bytes as a view. */
  private pixelData(el: ScannedElement): Entry {
    const encapsulated = el.fragments !== undefined;
    const vr = encapsulated && el.vr === 'OW' ? 'OB' : el.vr;
    const length = el.undefinedLength ? UNDEFINED_LENGTH : el.valueEnd - el.valueStart;
    return { key: el.key, chunks: [header(el.key, vr, length, this.syntax), this.data.subarray(el.valueStart, el.valueEnd)] };
  }

  /** The elements the engine sets at top level. */
  marking(pseudonym: string): Entry[] {
    for (const name of ['PatientName', 'PatientID']) this.count(name, 'pseudonym');
    for (const name of [
      'PatientIdentityRemoved',
      'DeidentificationMethod',
      'DeidentificationMethodCodeSequence',
      'LongitudinalTemporalInformationModified',
    ])
      this.count(name, 'set');
    return [this.textEntry(TAG.PatientName, 'PN', pseudonym), this.textEntry(TAG.PatientID, 'LO', pseudonym), ...this.fixedMarking()];
  }

  /**
   * The marking that is the same for every file of a profile, key and encoding:
   * encoded once and shared (entries are only read after this; their chunks
   * are copied into each output).
   */
  private fixedMarking(): readonly Entry[] {
    const fingerprint = memoised(this.memo, 'key-fingerprint', () => keyFingerprint(this.keys));
    const id = `${this.syntax.little}|${this.syntax.explicit}|${this.encoding}|${fingerprint}`;
    let byEncoding = FIXED_MARKINGS.get(this.profile);
    if (!byEncoding) {
      byEncoding = new Map();
      FIXED_MARKINGS.set(this.profile, byEncoding);
    }
    let fixed = byEncoding.get(id);
    if (!fixed) {
      const codes = methodCodes(this.profile).map((code) => [
        this.textEntry('00080100', 'SH', code.value),
        this.textEntry('00080102', 'SH', 'DCM'),
        this.textEntry('00080104', 'LO', code.meaning),
      ]);
      fixed = [
        this.textEntry(TAG.PatientIdentityRemoved, 'CS', 'YES'),
        this.textEntry(
          TAG.DeidentificationMethod,
          'LO',
          `${deidentificationMethod(this.profile)}\\${KEY_FINGERPRINT_PREFIX}${fingerprint}`,
        ),
        this.sequence(TAG.DeidentificationMethodCodeSequence, codes),
        this.textEntry('00280303', 'CS', temporalInformation(this.profile)),
      ];
      if (byEncoding.size >= 64) byEncoding.clear();
      byEncoding.set(id, fixed);
    }
    return fixed;
  }
}

/** The 128-byte preamble (zeros) and "DICM". */
const PREAMBLE = concatBytes([new Uint8Array(128), encodeText('DICM', 'latin1')]);
const FILE_META_VERSION = Uint8Array.of(0, 1);
const GROUP_LENGTH_HEADER = header('00020000', 'UL', 4, { little: true, explicit: true });

/**
 * A fresh File Meta (Explicit VR Little Endian, with its group length): the
 * input's can carry AE titles and private data. As chunks, copied once into
 * the output's header.
 */
const META_SYNTAX: Syntax = { little: true, explicit: true };
const metaElement = (key: TagKey, vr: string, value: Uint8Array): Uint8Array[] => [header(key, vr, value.byteLength, META_SYNTAX), value];

/** The File Meta elements around the instance UID, per SOP Class and transfer syntax: the same for every file of a series. */
const META_PARTS = new Map<string, { before: Uint8Array[]; after: Uint8Array[]; bytes: number }>();
function metaParts(sopClassUid: string, transferSyntaxUid: string): { before: Uint8Array[]; after: Uint8Array[]; bytes: number } {
  const id = `${sopClassUid}|${transferSyntaxUid}`;
  let parts = META_PARTS.get(id);
  if (!parts) {
    const before = [
      ...metaElement('00020001', 'OB', FILE_META_VERSION),
      ...metaElement(TAG.MediaStorageSOPClassUID, 'UI', textValue(sopClassUid, 'UI', 'latin1')),
    ];
    const after = [
      ...metaElement(TAG.TransferSyntaxUID, 'UI', textValue(transferSyntaxUid, 'UI', 'latin1')),
      ...metaElement('00020012', 'UI', textValue(IMPLEMENTATION_CLASS_UID, 'UI', 'latin1')),
      ...metaElement('00020013', 'SH', textValue(IMPLEMENTATION_VERSION_NAME, 'SH', 'latin1')),
    ];
    parts = { before, after, bytes: [...before, ...after].reduce((n, c) => n + c.byteLength, 0) };
    if (META_PARTS.size >= 256) META_PARTS.clear();
    META_PARTS.set(id, parts);
  }
  return parts;
}

function fileMeta(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string): Uint8Array[] {
  const parts = metaParts(sopClassUid, transferSyntaxUid);
  const instance = metaElement(TAG.MediaStorageSOPInstanceUID, 'UI', textValue(sopInstanceUid, 'UI', 'latin1'));
  const length = allocBytes(4);
  new DataView(length.buffer, length.byteOffset, 4).setUint32(
    0,
    parts.bytes + (instance[0] as Uint8Array).byteLength + (instance[1] as Uint8Array).byteLength,
    true,
  );
  return [PREAMBLE, GROUP_LENGTH_HEADER, length, ...parts.before, ...instance, ...parts.after];
}

type TopText = (key: TagKey) => string;

/**
 * What the output's identity is derived from: the pseudonym and date shift (PatientID, PatientName), the UIDs
 * it is filed under, the SOP Class that decides pixel review, and Pixel Data, passed through whole. Removing
 * one of these with a wrong VR would not help (the output would be keyed or filed on a value that is not what
 * its tag says, or carry it as pixels), so such a file is refused.
 */
const IDENTITY_ELEMENTS: ReadonlyArray<[TagKey, string]> = [
  [TAG.PatientID, 'PatientID'],
  [TAG.PatientName, 'PatientName'],
  [TAG.SOPClassUID, 'SOPClassUID'],
  [TAG.SOPInstanceUID, 'SOPInstanceUID'],
  [TAG.StudyInstanceUID, 'StudyInstanceUID'],
  [TAG.SeriesInstanceUID, 'SeriesInstanceUID'],
  [TAG.PixelData, 'PixelData'],
];
/** With their dictionary VRs, looked up once (every file checks them). */
let identityVrs: ReadonlyArray<{ key: TagKey; keyword: string; vrs: string }> | undefined;

/** Throws DicomParseError (value-free: tag, keyword and VRs) when an identity element's explicit VR is not the dictionary's. */
function refuseMisplacedIdentity(top: ReadonlyMap<TagKey, ScannedElement>): void {
  identityVrs ??= IDENTITY_ELEMENTS.map(([key, keyword]) => ({ key, keyword, vrs: dictionaryVrs(parseInt(key, 16)) ?? '' }));
  for (const { key, keyword, vrs } of identityVrs) {
    const vr = top.get(key)?.vr;
    if (vr !== undefined && vr !== vrs && !vrAllowed(vrs, vr)) {
      throw new DicomParseError(
        `malformed: ${keyword} ${formatTag(key)} is written with VR ${vr}; the data dictionary allows ${vrs.split('|').join(' or ')}`,
      );
    }
  }
}

/**
 * Native Pixel Data is passed through unread, so it must at least be the image its header describes: a value
 * shorter than Rows x Columns x SamplesPerPixel x BitsAllocated / 8 (x NumberOfFrames) is not an image but some
 * other value under its tag (an Implicit VR tag swap put a name there). Throws DicomParseError, value-free.
 */
function refuseShortPixelData(top: ReadonlyMap<TagKey, ScannedElement>, data: Uint8Array, little: boolean): void {
  const pixel = top.get(TAG.PixelData);
  if (!pixel || pixel.fragments !== undefined) return;
  const us = (key: TagKey): number | undefined => {
    const el = top.get(key);
    if (!el || el.valueEnd - el.valueStart !== 2) return undefined;
    const [a = 0, b = 0] = [data[el.valueStart], data[el.valueStart + 1]];
    return little ? a | (b << 8) : (a << 8) | b;
  };
  const rows = us('00280010');
  const columns = us('00280011');
  const bits = us('00280100');
  const frames = top.get('00280008');
  const frameCount = frames ? Number.parseInt(decodeText(data, 'latin1', frames.valueStart, frames.valueEnd).trim(), 10) : 1;
  const expected =
    rows !== undefined && columns !== undefined && bits !== undefined
      ? Math.floor((rows * columns * (us('00280002') ?? 1) * bits) / 8) * (Number.isFinite(frameCount) && frameCount > 0 ? frameCount : 1)
      : undefined;
  if (expected === undefined || pixel.valueEnd - pixel.valueStart < expected) {
    throw new DicomParseError(
      `malformed: PixelData ${formatTag(TAG.PixelData)} holds ${pixel.valueEnd - pixel.valueStart} bytes, not the image its Rows, Columns and BitsAllocated describe`,
    );
  }
}

/**
 * The pseudonym and the date shift are keyed on PatientID so that every file
 * of a patient gets the same ones. Without a PatientID they fall back to the
 * name, then to the study (a study of unknown patient).
 */
function patientKeyOf(topText: TopText): string {
  const id = topText(TAG.PatientID);
  if (id !== '') return `id:${id}`;
  const name = trimEndOf(topText(TAG.PatientName), '=');
  return name !== '' ? `name:${name}` : `study:${topText(TAG.StudyInstanceUID)}`;
}

/**
 * The output, with `bytes` joined and `summary` read back from the written
 * header only when asked for: the CLI writes `chunks` and needs neither, and
 * re-scanning the header was a fifth of the engine's time on a CT slice.
 */
function lazyOutput(fields: Omit<DeidentifyOutput, 'bytes' | 'summary'>, readSummary: () => InstanceSummary): DeidentifyOutput {
  let joined: Uint8Array | undefined;
  let summary: InstanceSummary | undefined;
  return {
    ...fields,
    get bytes(): Uint8Array {
      joined ??= fields.chunks.length === 1 && fields.chunks[0] ? fields.chunks[0] : concatBytes(fields.chunks);
      return joined;
    },
    get summary(): InstanceSummary {
      summary ??= readSummary();
      return summary;
    },
  };
}

/**
 * The entries' chunks in order, with neighbours that are adjacent views of the
 * same input merged: kept elements are views of the input, so a run of them
 * becomes one copy instead of one per element. Same bytes, fewer copies.
 */
function coalesce(entries: readonly Entry[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  // The run being extended: its first chunk and where it ends now.
  let first: Uint8Array | undefined;
  let end = 0;
  const close = (): void => {
    if (!first) return;
    out.push(end === first.byteOffset + first.byteLength ? first : new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset));
  };
  for (const entry of entries) {
    for (const chunk of entry.chunks) {
      if (chunk.byteLength === 0) continue;
      if (first && first.buffer === chunk.buffer && chunk.byteOffset === end) {
        end += chunk.byteLength;
        continue;
      }
      close();
      first = chunk;
      end = chunk.byteOffset + chunk.byteLength;
    }
  }
  close();
  return out;
}

/**
 * De-identifies one Part 10 file under a profile. Throws DicomParseError (value-free) for unusable input,
 * and its DeidentificationTimeout when cleaning the file's text outlasts the time budget.
 */
export function deidentifyFile(bytes: Uint8Array, keys: KeyOptions, profile: DeidProfile, limits: EngineLimits = {}): DeidentifyOutput {
  const deadline = Date.now() + (limits.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS);
  const file = scanPart10(bytes);
  const input = instanceIdentity(file);
  const top = topLevel(file);
  const syntax: Syntax = { little: file.littleEndian, explicit: file.transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittle };
  if (syntax.explicit) refuseMisplacedIdentity(top);
  const encoding = textEncoding(file);

  const data = decodingView(file.dataSet);
  refuseShortPixelData(top, data, file.littleEndian);
  const values = (key: TagKey): string[] => {
    const el = top.get(key);
    return el
      ? textOf(data, encoding, el)
          .split('\\')
          .map((v) => v.trim())
      : [];
  };
  const patientKey = patientKeyOf((key) => values(key)[0] ?? '');
  const imageType = values('00080008');
  const engine = new Engine(file, syntax, encoding, profile, keys, patientKey, deadline);

  const entries = [...engine.dataSet(buildTree(file.elements), 0), ...engine.marking(engine.pseudonym(patientKey))];
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const meta = fileMeta(input.sopClassUid, engine.remap(input.sopInstanceUid), file.transferSyntaxUid);
  const pixelIndex = entries.findIndex((e) => e.key === TAG.PixelData);
  const before = pixelIndex < 0 ? entries : entries.slice(0, pixelIndex);
  const after = pixelIndex < 0 ? [] : entries.slice(pixelIndex + 1);
  let chunks: Uint8Array[];
  let readSummary: () => InstanceSummary;
  if (file.transferSyntaxUid === TRANSFER_SYNTAX.deflatedExplicitLittle) {
    const dataSet = concatBytes(coalesce(entries));
    const whole = concatBytes([...meta, lazyZlib().deflateRawSync(dataSet)]);
    chunks = [whole];
    // Read back within exactly what was deflated: the input already passed its inflation limit.
    const inflation = { maxBytes: dataSet.byteLength, maxRatio: Number.POSITIVE_INFINITY };
    readSummary = () => summarize(scanPart10(whole, { inflation }));
  } else {
    // Not joined into one header buffer: a writer takes the chunks as they are (one writev), and joining
    // them was a sixth of the engine's time on a CT slice.
    const head = [...meta, ...coalesce(before)];
    chunks = [...head, ...(pixelIndex < 0 ? [] : (entries[pixelIndex]?.chunks ?? [])), ...coalesce(after)];
    // Every element the summary reads comes before Pixel Data: the header alone is enough.
    readSummary = () => summarize(scanPart10(concatBytes(head)));
  }
  const review = pixelReviewReasons({
    sopClassUid: input.sopClassUid,
    ...(input.modality !== undefined && { modality: input.modality }),
    ...(input.burnedInAnnotation !== undefined && { burnedInAnnotation: input.burnedInAnnotation }),
    imageType,
  });
  return lazyOutput(
    {
      chunks,
      byteLength: chunks.reduce((n, c) => n + c.byteLength, 0),
      outcome: review.length ? 'needs-pixel-review' : 'ok',
      pixelReview: review,
      actionCounts: engine.counts,
      profile: profile.name,
    },
    readSummary,
  );
}
