import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SIGNATURE_PREFIX } from '@instantchat/meta-platform';

/** `sha256=` and 64 hex digits: anything else is refused before any comparison. */
const SIGNATURE_PATTERN = /^sha256=[0-9a-f]{64}$/i;

/**
 * Whether `X-Hub-Signature-256` is Meta's HMAC-SHA256 of exactly these bytes under one of the
 * app secrets (one per login method). The raw bytes, never re-serialised JSON: Meta escapes
 * non-ASCII characters, so a re-serialised body would hash differently. Each digest is compared in
 * constant time, so the timing says nothing about which bytes matched; the secrets are tried in
 * order and the first match ends the check (which secret signed is no secret: it follows from the
 * account the delivery is about), so a delivery costs one HMAC, not one per configured secret.
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
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, received)) return true;
  }
  return false;
}
