import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import {
  MESSAGE_SYSTEM_EVENT_KINDS,
  type MessageSource,
  type MessageStatus,
  type MessageSystemEventKind,
} from '@instantchat/contracts';
import { type HydratedDocument, Types } from 'mongoose';

/** A file or media item. Instagram sends image, video, audio, file, share, story_mention, … */
@Schema({ _id: false })
export class Attachment {
  @Prop({ required: true })
  type!: string;

  @Prop() url?: string;
  @Prop() mimeType?: string;
  @Prop() fileName?: string;
  @Prop() sizeBytes?: number;
  @Prop() width?: number;
  @Prop() height?: number;
}
const AttachmentSchema = SchemaFactory.createForClass(Attachment);

/** One reaction by one person: an InstantChat user or an Instagram contact. */
@Schema({ _id: false })
export class Reaction {
  /**
   * The emoji (Instagram also sends a named reaction, e.g. "love"). null once the person removed
   * it: the entry stays, with its time, so an older reaction delivered late cannot come back.
   */
  @Prop({ type: String, default: null })
  reaction!: string | null;

  @Prop({ type: Types.ObjectId })
  userId?: Types.ObjectId;

  @Prop()
  instagramSenderId?: string;

  @Prop({ required: true })
  reactedAt!: Date;
}
const ReactionSchema = SchemaFactory.createForClass(Reaction);

/** A failed delivery as the channel reported it (Meta's code, subcode and words). */
@Schema({ _id: false })
export class DeliveryError {
  @Prop() code?: number;
  @Prop() subcode?: number;
  @Prop() title?: string;
  @Prop() userMessage?: string;
  @Prop({ required: true }) mayHaveBeenDelivered!: boolean;
  @Prop() reconnectRequired?: boolean;
}
const DeliveryErrorSchema = SchemaFactory.createForClass(DeliveryError);

/**
 * Where a reply that leaves through a channel (Instagram) stands in the outbox: which API instance
 * holds it and until when, when it is next due, how many Send API tries were started. Absent on
 * every other message. See `channels/reply-outbox.service.ts`.
 */
@Schema({ _id: false })
export class ReplyDelivery {
  /** Tries started (claims taken); a claim is taken right before the channel is called. */
  @Prop({ default: 0 }) attempts!: number;
  /** When an unclaimed reply may be taken up next; null while claimed or once given up. */
  @Prop({ type: Date, default: null }) dueAt!: Date | null;
  /** The instance that holds the claim (host, process, random), while it holds it. */
  @Prop({ type: String, default: null }) holder!: string | null;
  /** The claim runs out then: its holder died mid-try if the reply is still pending. */
  @Prop({ type: Date, default: null }) leaseUntil!: Date | null;
}
const ReplyDeliverySchema = SchemaFactory.createForClass(ReplyDelivery);

/** What an Instagram message answers (`reply_to`): a story of the business, or an earlier message. */
@Schema({ _id: false })
export class ReplyTo {
  @Prop() externalMessageId?: string;
  @Prop() storyId?: string;
  @Prop() storyUrl?: string;
}
const ReplyToSchema = SchemaFactory.createForClass(ReplyTo);

/** Meta's `referral`: the ad or link a contact came through. */
@Schema({ _id: false })
export class Referral {
  @Prop() source?: string;
  @Prop() type?: string;
  @Prop() ref?: string;
  @Prop() adId?: string;
}
const ReferralSchema = SchemaFactory.createForClass(Referral);

/** A system line: the contact tapped a button (postback) or arrived through an ad or link. */
@Schema({ _id: false })
export class SystemEvent {
  @Prop({ type: String, enum: MESSAGE_SYSTEM_EVENT_KINDS, required: true })
  kind!: MessageSystemEventKind;
  @Prop() title?: string;
  @Prop() payload?: string;
  @Prop({ type: ReferralSchema }) referral?: Referral;
}
const SystemEventSchema = SchemaFactory.createForClass(SystemEvent);

@Schema({ collection: 'messages', timestamps: true })
export class Message {
  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;

  @Prop({ type: String, enum: ['local', 'instagram'], required: true })
  source!: MessageSource;

  /** The InstantChat user who wrote it; null for a message from an Instagram contact. */
  @Prop({ type: Types.ObjectId, default: null })
  senderUserId!: Types.ObjectId | null;

  /** Empty for a message that is only attachments. */
  @Prop({ default: '' })
  text!: string;

  @Prop({ type: [AttachmentSchema], default: [] })
  attachments!: Attachment[];

  @Prop({
    type: String,
    enum: ['pending', 'sent', 'delivered', 'read', 'failed'],
    required: true,
  })
  status!: MessageStatus;

  /** Why delivery failed, in words a person can act on. */
  @Prop({ type: String, default: null })
  error!: string | null;

  @Prop({ type: DeliveryErrorSchema, default: null })
  deliveryError?: DeliveryError | null;

  @Prop({ type: [ReactionSchema], default: [] })
  reactions!: Reaction[];

  /** Replies a channel hands over after storing them: the outbox's claim and schedule. */
  @Prop({ type: ReplyDeliverySchema })
  delivery?: ReplyDelivery;

  /** Set when the author unsends it; the row stays so history and cursors stay stable. */
  @Prop({ type: Date, default: null })
  deletedAt!: Date | null;

  @Prop({ type: Date, default: null })
  editedAt!: Date | null;

  /** Instagram's `num_edit`: an edit only applies when it is newer than the one stored. */
  @Prop() editCount?: number;

  @Prop({ type: ReplyToSchema }) replyTo?: ReplyTo;
  @Prop() quickReplyPayload?: string;
  /** Instagram could not hand the content over (`is_unsupported`). */
  @Prop() isUnsupported?: boolean;
  @Prop({ type: ReferralSchema }) referral?: Referral;
  @Prop({ type: SystemEventSchema }) systemEvent?: SystemEvent;

  /**
   * The folded prefixes of the text's words (search/search-terms.ts), for message search. Not read
   * back with the message (`select: false`): only queries use it. Empty once the message is unsent.
   */
  @Prop({ type: [String], default: undefined, select: false })
  searchTerms?: string[];

  /**
   * The sender's own id for this message (a UUID), so a retried send is stored once. Left unset
   * when the client gave none: the unique index below only covers documents where it is a string.
   */
  @Prop({ type: String })
  clientMessageId?: string;

  // Instagram fields (the seed's names). Left unset on local messages: the unique index below only
  // covers documents where the id is a string.
  @Prop() instagramSenderId?: string;
  @Prop() instagramMessageId?: string;
  @Prop() instagramThreadId?: string;
  @Prop({ default: false }) isFromInstagram!: boolean;
  @Prop({ default: false }) isToInstagram!: boolean;

  createdAt!: Date;
  updatedAt!: Date;
}

export type MessageDocument = HydratedDocument<Message>;

export const MessageSchema = SchemaFactory.createForClass(Message);

/**
 * What a read of messages for display leaves out, for reads that go straight to the driver: the
 * same fields the schema keeps from Mongoose's reads (`select: false`).
 */
export const MESSAGE_VIEW_PROJECTION = { searchTerms: 0 } as const;

// History pages: newest first, _id breaks ties between messages of the same millisecond.
MessageSchema.index({ conversationId: 1, createdAt: -1, _id: -1 });
// The reply outbox's sweeps: pending replies by due time (the pending ones are few).
MessageSchema.index({ status: 1, 'delivery.dueAt': 1 });
// Message search: one term, then the caller's conversations; a multikey index, so no $text needed.
MessageSchema.index({ searchTerms: 1, conversationId: 1, createdAt: -1 });
// Meta redelivers webhooks: the message id makes inserting them idempotent. Per conversation (so
// per business account), not globally: when two connected accounts write to each other, one Meta
// message is the sender's echo and the recipient's inbound message, each in its own conversation.
MessageSchema.index(
  { conversationId: 1, instagramMessageId: 1 },
  {
    unique: true,
    partialFilterExpression: { instagramMessageId: { $type: 'string' } },
  },
);
// A client retrying a send repeats its clientMessageId: the same sender cannot store it twice.
MessageSchema.index(
  { senderUserId: 1, clientMessageId: 1 },
  {
    unique: true,
    partialFilterExpression: { clientMessageId: { $type: 'string' } },
  },
);
