import { randomBytes, randomInt } from 'node:crypto';

/** Graph object ids are decimal strings; 15–17 digits like Meta's. */
export function numericId(digits = 16): string {
  let id = String(randomInt(1, 10));
  while (id.length < digits) id += String(randomInt(0, 10));
  return id;
}

/** Instagram message ids are long url-safe base64 strings (`aWdfZ…`). */
export function messageId(): string {
  const raw = `ig_message_item:1:IGMessageData:${numericId(17)}:${randomBytes(18).toString('hex')}`;
  return Buffer.from(raw).toString('base64url');
}

export function fbtraceId(): string {
  return randomBytes(17).toString('base64url').slice(0, 23);
}

/** Meta's tokens start with EAA; the rest is opaque. */
export function accessToken(): string {
  return `EAA${randomBytes(60).toString('base64url')}`;
}

/** Instagram Login's Instagram User tokens start with IGAA. */
export function instagramAccessToken(): string {
  return `IGAA${randomBytes(60).toString('base64url')}`;
}

export function authorizationCode(): string {
  return `AQ${randomBytes(96).toString('base64url')}`;
}
