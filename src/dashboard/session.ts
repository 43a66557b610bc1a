import { createHmac, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * Browser sessions: `/?token=<STATUS_TOKEN>` trades the token for a cookie, so the token leaves the address
 * bar and the history. The cookie is `v1.<expiry>.<HMAC-SHA256(scrypt(token), label + expiry)>`: it is not the token
 * and does not reveal it, it cannot be forged or extended without the token, it dies at its expiry, and
 * changing STATUS_TOKEN invalidates every cookie issued before (no server-side store to keep or lose).
 */
export const SESSION_COOKIE = 'sidecar_session';
export const SESSION_MAX_AGE_SEC = 30 * 86_400;

const LABEL = 'kraken-balance-sidecar session v1 ';
const VALUE = /^v1\.(\d{10})\.([A-Za-z0-9_-]{43})$/;
/** Same-named cookies looked at per request (several can arrive: other paths, other local apps' leftovers). */
const MAX_CANDIDATES = 4;

/**
 * The HMAC key: scrypt of the token, derived once per token (tens of ms) and kept. A cookie that leaks (other
 * local web servers on the same host name receive it) then does not let anyone test token guesses quickly.
 */
let derived: { token: string; key: Buffer } | undefined;
function sessionKey(token: string): Buffer {
  if (derived?.token !== token) derived = { token, key: scryptSync(token, LABEL, 32, { N: 4096 }) };
  return derived.key;
}

function mac(token: string, expSec: number): Buffer {
  return createHmac('sha256', sessionKey(token)).update(`${LABEL}${expSec}`, 'utf8').digest();
}

export function sessionValue(token: string, expSec: number): string {
  return `v1.${expSec}.${mac(token, expSec).toString('base64url')}`;
}

/** Constant-time check of one cookie value; false for anything malformed, forged, expired or from an old token. */
export function sessionValid(value: string, token: string, nowSec: number): boolean {
  const m = VALUE.exec(value);
  if (m?.[1] === undefined || m[2] === undefined) return false;
  const exp = Number(m[1]);
  const presented = Buffer.from(m[2], 'base64url');
  const expected = mac(token, exp);
  // Length is fixed by the pattern (43 base64url chars = 32 bytes); the comparison itself is constant-time.
  // The decoder ignores the last character's two spare bits: only the canonical spelling (the issued one) counts,
  // so no other string is ever accepted as the same session.
  const canonical = presented.toString('base64url') === m[2];
  const same = canonical && presented.length === expected.length && timingSafeEqual(presented, expected);
  return same && exp > nowSec;
}

/** The values of our cookie in a Cookie header, at most MAX_CANDIDATES (order kept). */
export function sessionCandidates(cookieHeader: string | undefined): string[] {
  if (cookieHeader === undefined) return [];
  const out: string[] = [];
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    out.push(v);
    if (out.length >= MAX_CANDIDATES) break;
  }
  return out;
}

/** True when any of the request's session cookies is valid for this token. */
export function hasValidSession(req: Request, token: string, nowSec: number): boolean {
  return sessionCandidates(req.get('cookie')).some((v) => sessionValid(v, token, nowSec));
}

/** Secure when the browser talks https to us or to the proxy in front (X-Forwarded-Proto: https). */
export function overHttps(req: Request): boolean {
  const fwd = req.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return req.secure || fwd === 'https';
}

export function sessionSetCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${SESSION_MAX_AGE_SEC}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
