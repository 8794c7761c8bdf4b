import { isIP } from 'node:net';

/** `true`, `false`, a hop count, or Express's list form (`loopback`, `10.0.0.0/8, 127.0.0.1`). */
export function parseTrustProxy(
  value: string,
): boolean | number | string | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  // Checked the way Express (proxy-addr) reads the list, which would otherwise throw at boot.
  return value.split(',').every((item) => isTrustedProxyEntry(item.trim()))
    ? value
    : undefined;
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** A proxy-addr name, an address, or a subnet as address/prefix-length or address/netmask. */
function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) return true;
  const [address, range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) {
    const prefixLength = Number(range);
    return prefixLength >= 1 && prefixLength <= (family === 4 ? 32 : 128);
  }
  return family === 4 && isContiguousNetmask(range);
}

/** `255.255.240.0` yes; `255.0.255.0` and `0.0.0.0` no (proxy-addr throws on them). */
function isContiguousNetmask(mask: string): boolean {
  if (isIP(mask) !== 4) return false;
  const bits = mask
    .split('.')
    .reduce((value, octet) => value * 256 + Number(octet), 0);
  const hostBits = 2 ** 32 - 1 - bits;
  // hostBits must be 2^k - 1 (ones below, zeros above), and the mask not empty (a /0).
  return hostBits < 2 ** 32 - 1 && Number.isInteger(Math.log2(hostBits + 1));
}
