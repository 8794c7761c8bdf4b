import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { ConversationKind, MessageSource } from '@instantchat/contracts';
import { type HydratedDocument, Types } from 'mongoose';
import type { InstagramContactProfile } from '../../meta/meta-graph.types';

/**
 * What we keep of an Instagram contact's profile (MetaGraphClient.getInstagramUserProfile), for
 * the conversation list.
 */
@Schema({ _id: false })
export class CachedContactProfile
  implements
    Pick<InstagramContactProfile, 'username' | 'name' | 'profilePictureUrl'>
{
  @Prop() username?: string;
  @Prop() name?: string;
  @Prop() profilePictureUrl?: string;
  /** Profiles change and picture URLs expire: refetch when this gets old. */
  @Prop() fetchedAt?: Date;
}
const CachedContactProfileSchema =
  SchemaFactory.createForClass(CachedContactProfile);

/** One DM thread between a connected Instagram account and one contact. */
@Schema({ _id: false })
export class InstagramThread {
  /**
   * The InstagramUser (connection) currently serving this thread; an owner may connect several
   * accounts. Updated when the account is reconnected.
   */
  @Prop({ type: Types.ObjectId, required: true })
  connectionId!: Types.ObjectId;

  /** The business's Instagram professional account id (the webhook's recipient id). */
  @Prop({ required: true })
  accountId!: string;

  /** The contact's Instagram-scoped id (IGSID), unique per business account. */
  @Prop({ required: true })
  contactIgsid!: string;

  @Prop({ type: CachedContactProfileSchema })
  contactProfile?: CachedContactProfile;
}
const InstagramThreadSchema = SchemaFactory.createForClass(InstagramThread);

/** Denormalised so the conversation list needs no query per row. */
@Schema({ _id: false })
export class LastMessagePreview {
  @Prop({ type: Types.ObjectId, required: true })
  messageId!: Types.ObjectId;

  /** Already truncated to what a list row shows. */
  @Prop({ default: '' })
  text!: string;

  @Prop({ type: Types.ObjectId, default: null })
  senderUserId!: Types.ObjectId | null;

  @Prop({ type: String, required: true })
  source!: MessageSource;

  @Prop({ required: true })
  createdAt!: Date;

  /** The author took the message back (an Instagram unsend): it has no text to show. */
  @Prop()
  deleted?: boolean;

  /** When its words were last edited (Meta's time): a late, older edit must not come back. */
  @Prop()
  editedAt?: Date;

  /** Meta's types of the message's attachments (none: absent), so a row can say what came. */
  @Prop({ type: [String], default: undefined })
  attachmentTypes?: string[];
}
const LastMessagePreviewSchema =
  SchemaFactory.createForClass(LastMessagePreview);

@Schema({ collection: 'conversations', timestamps: true })
export class Conversation {
  @Prop({ type: String, enum: ['local', 'instagram'], required: true })
  kind!: ConversationKind;

  /**
   * The InstantChat users who may see the conversation. Local: both people. Instagram: the owner
   * of the connected account (a list so a team inbox can add colleagues later).
   */
  @Prop({ type: [Types.ObjectId], required: true })
  participantIds!: Types.ObjectId[];

  /**
   * Local 1:1 only: both user ids, sorted and joined. Its unique index makes "open or reuse" safe
   * against two people opening the same conversation at the same moment.
   */
  @Prop()
  localPairKey?: string;

  @Prop({ type: InstagramThreadSchema })
  instagram?: InstagramThread;

  /** Last message the contact sent us: Meta's 24-hour messaging window starts here. */
  @Prop()
  lastInboundAt?: Date;

  /** Sort key of the conversation list; creation time until the first message. */
  @Prop({ required: true })
  lastMessageAt!: Date;

  @Prop({ type: LastMessagePreviewSchema, default: null })
  lastMessage!: LastMessagePreview | null;

  /** Per participant (keyed by user id): messages they have not read. */
  @Prop({ type: Map, of: Number, default: () => ({}) })
  unreadCounts!: Map<string, number>;

  /** Per participant (keyed by user id): everything up to this instant is read. */
  @Prop({ type: Map, of: Date, default: () => ({}) })
  lastReadAt!: Map<string, Date>;

  createdAt!: Date;
  updatedAt!: Date;
}

export type ConversationDocument = HydratedDocument<Conversation>;

export const ConversationSchema = SchemaFactory.createForClass(Conversation);

// The conversation list: the caller's conversations, newest activity first (ties broken by _id).
ConversationSchema.index({ participantIds: 1, lastMessageAt: -1, _id: -1 });
// Reconnect catch-up: the caller's conversations changed since an instant.
ConversationSchema.index({ participantIds: 1, updatedAt: -1 });
ConversationSchema.index(
  { localPairKey: 1 },
  {
    unique: true,
    partialFilterExpression: { localPairKey: { $type: 'string' } },
  },
);
// One conversation per contact per Instagram account (IGSIDs are scoped to the account); webhooks
// upsert on this. Keyed by the account, not the connection, so disconnecting and reconnecting the
// same account continues the same threads.
ConversationSchema.index(
  { 'instagram.accountId': 1, 'instagram.contactIgsid': 1 },
  { unique: true, partialFilterExpression: { kind: 'instagram' } },
);
// The inbox of one connected account (e.g. to hide its threads once it is disconnected).
ConversationSchema.index(
  { 'instagram.connectionId': 1, lastMessageAt: -1 },
  { partialFilterExpression: { kind: 'instagram' } },
);
