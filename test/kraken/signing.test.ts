import { describe, expect, it } from 'vitest';
import { signRequest } from '../../src/kraken/signing.js';

// Kraken's official worked example (DESIGN.md section 4).
const SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
const NONCE = '1616492376594';
const BODY = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
const PATH = '/0/private/AddOrder';
const EXPECTED = '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==';

describe('signRequest', () => {
  it("reproduces Kraken's official API-Sign example", () => {
    expect(signRequest(PATH, NONCE, BODY, SECRET)).toBe(EXPECTED);
  });

  it('covers the path, the nonce and the body: changing any one changes the signature', () => {
    expect(signRequest('/0/private/Balance', NONCE, BODY, SECRET)).not.toBe(EXPECTED);
    expect(signRequest(PATH, '1616492376595', BODY, SECRET)).not.toBe(EXPECTED);
    expect(signRequest(PATH, NONCE, BODY.replace('1.25', '1.26'), SECRET)).not.toBe(EXPECTED);
  });

  it('keys the HMAC with the base64-decoded secret, not the secret text', () => {
    const asText = Buffer.from(SECRET, 'utf8').toString('base64');
    expect(signRequest(PATH, NONCE, BODY, asText)).not.toBe(EXPECTED);
  });
});
