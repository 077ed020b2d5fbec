/**
 * Which elements of a scanned file carry an explicit VR that the data
 * dictionary does not allow for their (public) tag: values written under
 * another attribute's tag, by a broken writer or on purpose. The verifier's own
 * reading of the shared dictionary data (reference/ps3.6-vr-dictionary.json).
 */
import { TRANSFER_SYNTAX, type ScannedFile } from '../part10';
import { dictionaryVrs, isPrivateGroup, vrAllowed } from '../tags';

/**
 * One flag per element, in `file.elements` order. Only VRs read from the file
 * count: none in an Implicit VR data set, and none inside a UN sequence (its
 * items are Implicit VR, PS3.5 6.2.2). UN itself is allowed for any tag, and a
 * tag the dictionary does not know cannot be judged.
 */
export function misplacedElements(file: ScannedFile): readonly boolean[] {
  let flags = MISPLACED.get(file);
  if (!flags) {
    flags = flagMisplaced(file);
    MISPLACED.set(file, flags);
  }
  return flags;
}

/** Made once per scanned file: the verifier asks for the output's (its VR check and its values) and the original's (its needles and values). */
const MISPLACED = new WeakMap<ScannedFile, readonly boolean[]>();

function flagMisplaced(file: ScannedFile): boolean[] {
  const explicit = file.transferSyntaxUid !== TRANSFER_SYNTAX.implicitLittle;
  // Parents come before their children in the scanner's list, so one pass knows each element's ancestry.
  const underUnknown: boolean[] = [];
  const flags: boolean[] = [];
  file.elements.forEach((e, i) => {
    const parent = e.parent < 0 ? undefined : file.elements[e.parent];
    underUnknown[i] = parent !== undefined && (parent.vr === 'UN' || underUnknown[e.parent] === true);
    let flag = false;
    if (explicit && !underUnknown[i] && e.vr !== undefined && !isPrivateGroup(e.tag >>> 16) && (e.tag & 0xffff) !== 0) {
      const allowed = dictionaryVrs(e.tag);
      flag = allowed !== undefined && !vrAllowed(allowed, e.vr);
    }
    flags[i] = flag;
  });
  return flags;
}
