import { createHash, createHmac, randomBytes } from 'node:crypto';
import { portableDigest } from '../../../layers/common/digest';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('the portable SHA-256 (the portal de-identifies in a browser with it)', () => {
  it('gives the FIPS 180-4 digests of "", "abc" and the two-block message', () => {
    const digest = (text: string): string => hex(portableDigest.sha256().update(Buffer.from(text)).digest());
    expect(digest('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(digest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digest('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it("equals Node's for every length around the block and padding boundaries, fed in uneven pieces", () => {
    for (let length = 0; length <= 200; length++) {
      const data = randomBytes(length);
      const hash = portableDigest.sha256();
      for (let at = 0; at < length; at += 7) hash.update(data.subarray(at, at + 7));
      expect(hex(hash.digest())).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

describe('the portable HMAC-SHA-256 (pseudonyms, remapped UIDs, date shifts)', () => {
  it("equals Node's createHmac for short, block-sized, long and non-ASCII secrets and messages", () => {
    const secrets = [
      'k',
      'x'.repeat(64),
      'y'.repeat(65),
      'golden-secret-0123456789abcdef0123456789',
      'clé-ü-東京',
      randomBytes(90).toString('base64'),
    ];
    const messages = ['', 'patient\0project\0site\0id:123', `${'1.2.840.'.repeat(20)}\0`, 'Ünïcödé 東京 \u{1F600}', 'z'.repeat(1000)];
    for (const secret of secrets)
      for (const message of messages)
        expect(hex(portableDigest.hmacSha256(secret, message))).toBe(createHmac('sha256', secret).update(message, 'utf8').digest('hex'));
  });
});
