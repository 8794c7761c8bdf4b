import {
  INSTAGRAM_WEBHOOK_OBJECT,
  type InstagramWebhookPayload,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_SIGNATURE_PREFIX,
} from '@instantchat/meta-platform';
import { createHmac } from 'node:crypto';

/** Makes a DM delivery about 1 KB, a typical size for one text message with Meta's envelope. */
const TEXT_PADDING = 'x'.repeat(700);

/**
 * One Instagram DM as Meta delivers it (`object: instagram`, one entry, one `messaging` item), with
 * `seq` in its text and message id, so every body is distinct (the inbox drops exact redeliveries)
 * and its arrival on a socket can be matched to the request.
 */
export function instagramDmBody(
  accountId: string,
  contactIgsid: string,
  seq: number,
): string {
  const now = Date.now();
  const payload: InstagramWebhookPayload = {
    object: INSTAGRAM_WEBHOOK_OBJECT,
    entry: [
      {
        id: accountId,
        time: now,
        messaging: [
          {
            sender: { id: contactIgsid },
            recipient: { id: accountId },
            timestamp: now,
            message: {
              mid: `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA${seq}`,
              text: `bench ${seq} ${TEXT_PADDING}`,
            },
          },
        ],
      },
    ],
  };
  return JSON.stringify(payload);
}

/** Meta's signature header of a body: HMAC-SHA256 of the raw bytes with the app secret. */
export function signatureHeaders(
  body: string,
  appSecret: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    [WEBHOOK_SIGNATURE_HEADER]: `${WEBHOOK_SIGNATURE_PREFIX}${createHmac('sha256', appSecret).update(body).digest('hex')}`,
  };
}

/**
 * A client address for delivery `seq`, from a pool of 4,096, for `X-Forwarded-For` (the benches run
 * the API with TRUST_PROXY=true): Meta delivers from many servers, and the API's limit of 1,200
 * deliveries per minute per address would otherwise be what a bench measures.
 */
export function deliveryAddress(seq: number): string {
  const n = seq % 4_096;
  return `10.0.${n >> 8}.${n & 255}`;
}

/** The sequence number `instagramDmBody` put in a message's text, or undefined. */
export function seqOfText(text: string): number | undefined {
  const match = /^bench (\d+) /.exec(text);
  return match ? Number(match[1]) : undefined;
}
