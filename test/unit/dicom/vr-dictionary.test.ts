/**
 * The VR dictionary behind the explicit-VR check (layers/dicom/reference/
 * ps3.6-vr-dictionary.json, looked up by tags.ts): generated from dcmjs,
 * complete for every tag the de-identifier can keep, and in agreement with
 * DCMTK's independent dictionary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import annexE from '../../../layers/dicom/reference/ps3.15-annex-e.json';
import keepList from '../../../layers/dicom/profiles/keep-list.json';
import { dictionaryVrs, vrAllowed } from '../../../layers/dicom/tags';

const REFERENCE = join(__dirname, '../../../layers/dicom/reference');
const tagNumber = (tag: string): number => parseInt(tag.replace(/[(),]/g, ''), 16);
/** The lowercase multi-VR codes dcmjs and DCMTK write (keep-list.json copies them). */
const EXPAND: Record<string, string[]> = { xs: ['US', 'SS'], ox: ['OB', 'OW'], px: ['OB', 'OW'], lt: ['US', 'OW'], up: ['UL'] };

describe('the VR dictionary', () => {
  it('is exactly what its generator writes from the installed dcmjs', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hilum-vr-')), 'vr.json');
    const run = spawnSync(process.execPath, [join(REFERENCE, 'generate-vr-dictionary.mjs'), out], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(REFERENCE, 'ps3.6-vr-dictionary.json'), 'utf8'));
  });

  it('gives single, multi-VR and repeating-group entries by tag number', () => {
    expect(dictionaryVrs(0x00100010)).toBe('PN');
    expect(dictionaryVrs(0x00280106)).toBe('US|SS');
    expect(dictionaryVrs(0x7fe00010)).toBe('OB|OW');
    expect(dictionaryVrs(0x00283006)).toBe('US|SS|OW');
    expect(dictionaryVrs(0x60003000)).toBe('OB|OW');
    expect(dictionaryVrs(0x601e0010)).toBe('US');
    expect(dictionaryVrs(0x50020005)).toBe('US');
    expect(dictionaryVrs(0x002031a0)).toBe('CS');
    expect(dictionaryVrs(0x00000000)).toBe('UL');
    // Tags above 2^31 (group FFFx) are found as well.
    expect(dictionaryVrs(0xfffcfffc)).toBe('OB');
    expect(dictionaryVrs(0xfffafffa)).toBe('SQ');
  });

  it('knows no private tag and no tag PS3.6 does not define', () => {
    expect(dictionaryVrs(0x60013000)).toBeUndefined();
    expect(dictionaryVrs(0x00191023)).toBeUndefined();
    expect(dictionaryVrs(0x00101011)).toBeUndefined();
    expect(dictionaryVrs(0x7fe00ff0)).toBeUndefined();
  });

  it('allows each listed VR and UN, and nothing else', () => {
    expect(vrAllowed('US|SS', 'SS')).toBe(true);
    expect(vrAllowed('US|SS', 'US')).toBe(true);
    expect(vrAllowed('PN', 'UN')).toBe(true);
    expect(vrAllowed('US|SS', 'PN')).toBe(false);
    expect(vrAllowed('AS', 'PN')).toBe(false);
    expect(vrAllowed('LO', 'SH')).toBe(false);
  });

  it('covers every tag the de-identifier can keep: each Annex E row and keep-list attribute, with the keep-list VR', () => {
    const missing = (annexE as ReadonlyArray<{ tag: string; kind: string }>).filter(
      (r) => r.kind === 'exact' && dictionaryVrs(tagNumber(r.tag)) === undefined,
    );
    expect(missing).toEqual([]);
    for (const { tag, vr } of keepList.attributes) {
      const allowed = dictionaryVrs(tagNumber(tag));
      for (const one of EXPAND[vr] ?? [vr])
        expect({ tag, one, allowed: allowed !== undefined && vrAllowed(allowed, one) }).toEqual({ tag, one, allowed: true });
    }
  });

  it('allows every VR that DCMTK (PS3.6 2022b) gives a public tag it also knows', () => {
    const dic = '/usr/share/libdcmtk17/dicom.dic';
    // helpers.ts already requires dcmtk for the DICOM tests; its dictionary ships with it.
    expect(existsSync(dic)).toBe(true);
    const disagreements: string[] = [];
    let compared = 0;
    for (const line of readFileSync(dic, 'utf8').split('\n')) {
      const [tag, vr] = line.split('\t');
      if (!tag || !vr || line.startsWith('#') || !/^\([0-9A-Fa-f]{4},[0-9A-Fa-f]{4}\)$/.test(tag) || vr === 'na') continue;
      const number = tagNumber(tag);
      if ((number >>> 16) % 2 === 1) continue;
      const allowed = dictionaryVrs(number);
      if (allowed === undefined) continue;
      compared += 1;
      for (const one of EXPAND[vr] ?? [vr]) if (!vrAllowed(allowed, one)) disagreements.push(`${tag} ${one} not in ${allowed}`);
    }
    expect(compared).toBeGreaterThan(4000);
    expect(disagreements).toEqual([]);
  });
});
