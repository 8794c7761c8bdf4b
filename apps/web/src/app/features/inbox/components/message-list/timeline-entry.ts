import type {
  AttachmentDto,
  MessageDeliveryErrorDto,
  MessageReplyToDto,
  MessageStatus,
} from '@instantchat/contracts';

/** One emoji under a bubble: how many reacted with it, and who (for the tooltip). */
export interface ReactionSummary {
  emoji: string;
  count: number;
  names: string[];
}

/** One bubble in the chat window, ready to render. */
export interface TimelineEntry {
  /** The message id, or `pending:<clientId>` for one still on its way. */
  key: string;
  /** Set while the message is only on this device (pending or failed). */
  clientId: string | null;
  text: string;
  /** Unsent by its author: the text is a placeholder. */
  isDeleted: boolean;
  createdAt: string;
  isMine: boolean;
  senderName: string;
  status: MessageStatus;
  error: string | null;
  isFromInstagram: boolean;
  /** Attachments that can be opened (with a URL). */
  attachments: { type: string; url: string }[];
  /** The conversation's channel: Instagram conversations are styled apart. Default `local`. */
  channel?: 'local' | 'instagram';
  /** Every attachment as stored, also those without a URL (a shared post Meta gave no link for). */
  media?: AttachmentDto[];
  /** A failed reply the API can hand to Instagram again (the stored message's id). */
  retryableId?: string | null;
  /** Meta's account of a failed reply. */
  deliveryError?: MessageDeliveryErrorDto | null;
  /** The story or message this one answers. */
  replyTo?: MessageReplyToDto | null;
  reactions?: ReactionSummary[];
  edited?: boolean;
  /** Instagram could not hand the content over (e.g. a GIF sticker). */
  unsupported?: boolean;
  /** A postback or referral: shown as a centred line, not a bubble. */
  systemLine?: string | null;
  /** A retry of this failed reply is on its way to the API. */
  retrying?: boolean;
  /** Why the last retry was refused (e.g. the messaging window closed). */
  retryError?: string | null;
}
