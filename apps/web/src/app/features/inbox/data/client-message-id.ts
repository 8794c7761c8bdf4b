/**
 * A fresh UUID v4 naming one outgoing message, so a retried send is recognised by the API and
 * the echo is matched to its pending bubble. `crypto.randomUUID` exists only in secure contexts
 * (HTTPS or localhost); a dashboard served over plain HTTP from another host falls back to
 * `crypto.getRandomValues`, which every context has.
 */
export function newClientMessageId(
  cryptoApi: Crypto = globalThis.crypto,
): string {
  if (typeof cryptoApi.randomUUID === 'function') {
    return cryptoApi.randomUUID();
  }
  const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
