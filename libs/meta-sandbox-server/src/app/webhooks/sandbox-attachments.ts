import type {
  InstagramAttachment,
  InstagramReferral,
} from '@instantchat/meta-platform';
import { numericId } from '../ids';

/**
 * The attachments and referrals of the sandbox's events, shaped as Meta's Instagram messaging
 * webhooks carry them. Media sit on Meta's CDN (`lookaside.fbsbx.com/ig_messaging_cdn`) behind
 * expiring, signed URLs; a shared post is `ig_post` (its `share` twin stopped on 1 February
 * 2026); content Instagram cannot hand over through the API is `unsupported_type`, without a
 * payload.
 */

export const ATTACHMENT_KINDS = [
  'image',
  'video',
  'audio',
  'file',
  'share',
  'story_mention',
  'reel',
  'ig_story',
  'ig_post',
  'unsupported_type',
] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export function isAttachmentKind(value: unknown): value is AttachmentKind {
  return (
    typeof value === 'string' &&
    (ATTACHMENT_KINDS as readonly string[]).includes(value)
  );
}

export function cdnUrl(assetId: string, signature = 'sandbox'): string {
  return `https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=${assetId}&signature=${signature}`;
}

export function buildAttachment(
  kind: AttachmentKind,
  options: { url?: string; title?: string } = {},
): InstagramAttachment {
  const assetId = numericId(17);
  const url = options.url ?? cdnUrl(assetId);
  switch (kind) {
    case 'reel':
      return {
        type: 'ig_reel',
        payload: {
          reel_video_id: assetId,
          title: options.title ?? 'Sandbox reel',
          url,
        },
      };
    case 'ig_post':
      return {
        type: 'ig_post',
        payload: {
          ig_post_media_id: assetId,
          title: options.title ?? 'Sandbox post',
          url,
        },
      };
    case 'unsupported_type':
      return { type: 'unsupported_type' };
    default:
      return { type: kind, payload: { url } };
  }
}

export const REFERRAL_SOURCES = ['ADS', 'SHORTLINK'] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number];

/**
 * How the person came: an ig.me link with `?ref=` (`SHORTLINK`) or an ad (`ADS`, with the ad's
 * id; the shape of the fixtures' 18-referral.json).
 */
export function buildReferral(
  source: ReferralSource,
  ref: string | undefined,
): InstagramReferral {
  if (source === 'SHORTLINK') {
    return { ...(ref !== undefined && { ref }), source, type: 'OPEN_THREAD' };
  }
  return {
    ...(ref !== undefined && { ref }),
    source,
    type: 'OPEN_THREAD',
    ad_id: numericId(17),
  };
}
