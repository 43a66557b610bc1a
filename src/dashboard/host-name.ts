import { isIPv4, isIPv6 } from 'node:net';

/**
 * Host names as the allow-list compares them: lower case, one trailing dot dropped (`localhost.` is
 * `localhost`), IPv6 literals in brackets and in their canonical form (`[0:0::1]` is `[::1]`). Strict on
 * purpose: anything that is not an IPv4 address, a bracketed IPv6 address or a DNS-style name is refused, so
 * no lenient URL parser can turn a foreign name into an allowed one (`2130706433`, `127.1`, `%31`...).
 */
export function normalizeHostName(raw: string): string | null {
  const h = raw.toLowerCase();
  if (h.startsWith('[')) {
    const m = /^\[([0-9a-f:.]+)\]$/.exec(h);
    if (m?.[1] === undefined || !isIPv6(m[1])) return null;
    try {
      return new URL(`http://[${m[1]}]/`).hostname; // canonical compression: [0:0:0:0:0:0:0:1] -> [::1]
    } catch {
      return null;
    }
  }
  const name = h.endsWith('.') ? h.slice(0, -1) : h;
  if (name === '' || name.length > 253) return null;
  if (isIPv4(name)) return name;
  const labels = name.split('.');
  if (!labels.every((l) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) return null;
  // All-numeric dotted names that are not valid IPv4 (127.0.0.01, 127.1) are refused rather than guessed at.
  if (labels.every((l) => /^\d+$/.test(l))) return null;
  return name;
}

export interface Authority {
  /** normalized, see normalizeHostName */
  host: string;
  port: number | undefined;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` (RFC 9110 `uri-host [ ":" port ]`, no userinfo); null if malformed. */
export function parseAuthority(value: string): Authority | null {
  const m = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{0,5}))?$/.exec(value);
  if (m?.[1] === undefined) return null;
  const host = normalizeHostName(m[1]);
  if (host === null) return null;
  const portText = m[2];
  if (portText === undefined || portText === '') return { host, port: undefined };
  const port = Number(portText);
  return port <= 65_535 ? { host, port } : null;
}

/** A listen address as a Host name: `::1` -> `[::1]`, `0.0.0.0` stays; null when it cannot be one. */
export function listenHostName(listen: string): string | null {
  const h = listen.trim();
  return normalizeHostName(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
}
