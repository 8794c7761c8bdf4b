import type {
  ConversationKind,
  MessageDeliveryErrorDto,
  MessageDto,
  MessageReferralDto,
  MessageReplyToDto,
  MessageStatus,
  MessageSystemEventDto,
} from '@instantchat/contracts';
import type { CachedContactProfile } from '../schemas/conversation.schema';

/**
 * Chat's channel seam: the shapes other modules (Instagram first) use to send a conversation's
 * replies out and to record what arrives from outside. They never see Chat's Mongoose models.
 */

/** A conversation as a channel needs it: who sees it and, for an external thread, where it lives. */
export interface ChannelConversation {
  id: string;
  kind: ConversationKind;
  /** The InstantChat users who see the conversation. */
  participantIds: string[];
  instagram?: ChannelInstagramThread;
  /** External threads: when the contact last wrote (Meta's messaging window starts there). */
  lastInboundAt?: Date;
}

export interface ChannelInstagramThread {
  /** The connected account (InstagramUser) currently serving the thread. */
  connectionId: string;
  /** The business's Instagram professional account id. */
  accountId: string;
  /** The contact's Instagram-scoped id (IGSID). */
  contactIgsid: string;
  /** What is cached of the contact's profile; absent until it was first fetched. */
  contactProfile?: CachedContactProfile;
}

/** A reply Chat has stored and announced, for its channel to hand to the recipient. */
export interface OutgoingReply {
  conversation: ChannelConversation;
  message: MessageDto;
}

/** Where a reply stands once its channel has tried to hand it over. */
export type DeliveryOutcome =
  | {
      status: Extract<MessageStatus, 'sent' | 'delivered'>;
      /** The channel's own id for the message (Instagram: the `mid`), for later status updates. */
      externalMessageId?: string;
    }
  | {
      status: 'failed';
      error: string;
      /** The channel's own account of the failure (Meta's code, subcode and words). */
      deliveryError?: MessageDeliveryErrorDto;
    };

/** A reply about to be stored, for its channel to accept or refuse before anything is written. */
export interface ProposedReply {
  conversation: ChannelConversation;
  senderUserId: string;
  text: string;
}

/** How the replies of one kind of conversation leave InstantChat. */
export interface ReplyChannel {
  readonly kind: ConversationKind;
  /**
   * The status a reply is stored (and announced) with: `sent` where storing it already reaches the
   * recipient (local chat), `pending` where `deliver` still has to hand it over.
   */
  readonly initialStatus: Extract<MessageStatus, 'sent' | 'pending'>;
  /**
   * Hands over a reply that is stored and announced. Resolve with its new status (Chat records it
   * and announces `message:updated`), or with nothing when it is unchanged or will be reported later
   * through `ChannelInbox.updateMessage`. A rejection is recorded as a failed delivery.
   */
  deliver(reply: OutgoingReply): Promise<DeliveryOutcome | void>;
  /**
   * Refuses a reply the channel cannot carry, before it is stored (e.g. text over the channel's
   * limit, a closed messaging window), by throwing the HTTP exception the sender should see.
   */
  checkReply?(reply: ProposedReply): Promise<void>;
  /** Until when a reply can be sent in this conversation; null when it cannot (yet); absent: always. */
  replyWindowClosesAt?(conversation: ChannelConversation): Date | null;
  /** With a reply window: whether it is the human agent's (7 days) rather than the standard one. */
  readonly repliesAsHumanAgent?: boolean;
  /**
   * The usernames of the accounts serving these connections (`ChannelInstagramThread.connectionId`),
   * in one lookup, for the conversation list to say which account a thread reaches.
   */
  accountUsernames?(
    connectionIds: readonly string[],
  ): Promise<Map<string, string>>;
  /** The agent is typing in the conversation (best effort; must not throw). */
  agentTyping?(conversation: ChannelConversation, userId: string): void;
  /** The agent read the conversation (best effort; must not throw). */
  agentRead?(conversation: ChannelConversation, userId: string): void;
}

/** An external thread to open (or find) as a conversation, e.g. an Instagram contact of an account. */
export interface InboundThread {
  kind: 'instagram';
  /** The InstantChat users who see it: the owner of the connected account. */
  participantIds: string[];
  instagram: ChannelInstagramThread;
  contactProfile?: CachedContactProfile;
}

/** A message that arrived from outside InstantChat. */
export interface InboundMessage {
  conversationId: string;
  /** The channel's own id for the message; recording the same id twice stores it once. */
  externalMessageId: string;
  /** The sender's id on that channel (Instagram: their IGSID). */
  externalSenderId: string;
  text: string;
  attachments?: { type: string; url?: string }[];
  /** When the sender sent it (the webhook's timestamp), not when it reached us. */
  sentAt: Date;
  /**
   * `inbound` (the default): the contact wrote it. `outbound`: the business wrote it outside
   * InstantChat (Instagram's own app; Meta's echo), so it is shown as sent by the business.
   */
  direction?: 'inbound' | 'outbound';
  replyTo?: MessageReplyToDto;
  quickReplyPayload?: string;
  unsupported?: boolean;
  referral?: MessageReferralDto;
  /** Makes the message a system line (a postback or a referral); `text` describes it. */
  systemEvent?: MessageSystemEventDto;
}

/** A message, by Chat's id or by its channel's id. */
export type MessageReference =
  | { messageId: string }
  | { externalMessageId: string }
  /** The channel's id within one conversation: what an external thread's events can name. */
  | { conversationId: string; externalMessageId: string };

/** What happened to a message after it was stored. */
export type MessageChange =
  | {
      kind: 'status';
      status: MessageStatus;
      error?: string | null;
      /** With `failed`: the channel's account of it; cleared by any other status. */
      deliveryError?: MessageDeliveryErrorDto | null;
      externalMessageId?: string;
    }
  | {
      kind: 'reaction';
      reaction: string | null;
      externalSenderId: string;
      at: Date;
    }
  | {
      kind: 'edit';
      text: string;
      at: Date;
      /**
       * The channel's count of edits (Instagram's `num_edit`): an edit applies only when it is
       * newer than the stored one, so edits delivered out of order end at the latest.
       */
      editCount?: number;
    }
  /** The author unsent it: text and attachments are removed, the row and its time stay. */
  | { kind: 'delete'; at: Date };

/** A message as stored by a send or an inbound delivery. */
export interface RecordedMessage {
  message: MessageDto;
  /**
   * False when it was already stored and nobody is told again: a retried send (same
   * clientMessageId) or a redelivered webhook (same external id).
   */
  created: boolean;
}
