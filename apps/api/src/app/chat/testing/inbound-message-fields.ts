import type { Types } from 'mongoose';
import { messageSearchTerms } from '../search/search-terms';

/**
 * The fields ChannelInbox gives for an Instagram DM with media, a reply and an ad referral (its
 * optional fields present as `undefined`, as it passes them), with the source and null sender it
 * adds before Mongoose builds the document. Tests override what their behaviour is about.
 */
export function inboundMessageFields(
  conversationId: Types.ObjectId,
  instagramMessageId: string,
) {
  return {
    conversationId,
    instagramMessageId,
    source: 'instagram' as const,
    senderUserId: null,
    text: 'Is it in stock?',
    searchTerms: messageSearchTerms('Is it in stock?'),
    attachments: [
      { type: 'image', url: 'https://cdn.example/a.jpg' },
      { type: 'share' },
    ],
    status: 'delivered' as const,
    instagramSenderId: '1234567890',
    isFromInstagram: true,
    isToInstagram: false,
    replyTo: { externalMessageId: 'm-earlier' },
    quickReplyPayload: undefined,
    isUnsupported: undefined,
    referral: { source: 'ADS', type: 'OPEN_THREAD', adId: '42' },
    systemEvent: undefined,
  };
}
