import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SIGNATURE_PREFIX } from '@instantchat/meta-platform';

/** `sha256=` and 64 hex digits: anything else is refused before any comparison. */
const SIGNATURE_PATTERN = /^sha256=[0-9a-f]{64}$/i;

/**
 * Whether `X-Hub-Signature-256` is Meta's HMAC-SHA256 of exactly these bytes under one of the
 * app secrets (one per login method). The raw bytes, never re-serialised JSON: Meta escapes
 * non-ASCII characters, so a re-serialised body would hash differently. Every secret is tried and
 * compared in constant time, so the answer's timing says nothing about which bytes matched.
 */
export function isSignedByMeta(
  rawBody: Buffer,
  signatureHeader: string | undefined,
  secrets: readonly string[],
): boolean {
  if (!signatureHeader || !SIGNATURE_PATTERN.test(signatureHeader)) {
    return false;
  }
  const received = Buffer.from(
    signatureHeader.slice(WEBHOOK_SIGNATURE_PREFIX.length).toLowerCase(),
    'hex',
  );
  let matched = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    // No early exit: each configured secret costs the same whether or not an earlier one matched.
    matched = timingSafeEqual(expected, received) || matched;
  }
  return matched;
}
