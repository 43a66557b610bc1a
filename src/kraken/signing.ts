import { createHash, createHmac } from 'node:crypto';

/**
 * Kraken's API-Sign: base64(HMAC-SHA512(base64-decoded secret, path + SHA256(nonce + body))).
 * `body` is the exact form-encoded string sent, including `nonce=`.
 */
export function signRequest(path: string, nonce: string, body: string, secretBase64: string): string {
  const digest = createHash('sha256').update(nonce + body).digest();
  return createHmac('sha512', Buffer.from(secretBase64, 'base64'))
    .update(Buffer.concat([Buffer.from(path), digest]))
    .digest('base64');
}
