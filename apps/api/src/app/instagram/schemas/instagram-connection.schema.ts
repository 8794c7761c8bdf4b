import type {
  InstagramConnectionState,
  InstagramLoginMethod,
} from '@instantchat/contracts';
import {
  INSTAGRAM_CONNECTION_STATES,
  INSTAGRAM_LOGIN_METHODS,
} from '@instantchat/contracts';
import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types } from 'mongoose';
import type { SealedToken } from '../token-cipher';

/** A Meta token as stored: sealed by `TokenCipher`, never the token itself. */
@Schema({ _id: false })
export class SealedTokenRecord implements SealedToken {
  @Prop({ required: true }) keyId!: string;
  @Prop({ required: true }) iv!: string;
  @Prop({ required: true }) tag!: string;
  @Prop({ required: true }) ciphertext!: string;
}
const SealedTokenRecordSchema = SchemaFactory.createForClass(SealedTokenRecord);

/**
 * One Instagram professional account connected by one InstantChat user (the seed's
 * `InstagramUser`). A user may hold several; an account is held by at most one user at a time.
 * Reconnecting the same account updates this document, so its conversations keep pointing at it.
 */
@Schema({ collection: 'instagramusers', timestamps: true })
export class InstagramConnection {
  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  /** Instagram's id of the professional account: webhooks' `entry[].id`. */
  @Prop({ required: true })
  instagramAccountId!: string;

  @Prop({ type: String, enum: INSTAGRAM_LOGIN_METHODS, required: true })
  method!: InstagramLoginMethod;

  /** Facebook Login only: the Page linked to the account. */
  @Prop() pageId?: string;
  @Prop() pageName?: string;

  /**
   * What the Graph calls for this account need: the Page token (Facebook Login) or the
   * long-lived Instagram user token (Instagram Login). Removed on disconnect.
   */
  @Prop({ type: SealedTokenRecordSchema })
  accessToken?: SealedTokenRecord;

  /** null: the token does not expire (a Page token from a long-lived user token) or none is held. */
  @Prop({ type: Date, default: null })
  tokenExpiresAt!: Date | null;

  @Prop({ required: true }) instagramUsername!: string;
  @Prop() name?: string;
  @Prop() profilePictureUrl?: string;

  /** The permissions the person granted. */
  @Prop({ type: [String], default: [] })
  scopes!: string[];

  @Prop({ type: String, enum: INSTAGRAM_CONNECTION_STATES, required: true })
  state!: InstagramConnectionState;

  /**
   * Whether this user holds the account: true while `connected` or `needs_reconnect`, false once
   * disconnected. The unique index below is on it, so a token Meta stops accepting does not free
   * the account for someone else.
   */
  @Prop({ required: true })
  isConnected!: boolean;

  @Prop({ default: false })
  webhookSubscribed!: boolean;

  /** The last problem with the account, in words its owner can act on; cleared on success. */
  @Prop({ type: String, default: null })
  lastError!: string | null;

  createdAt!: Date;
  updatedAt!: Date;
}

export type InstagramConnectionDocument = HydratedDocument<InstagramConnection>;

export const InstagramConnectionSchema =
  SchemaFactory.createForClass(InstagramConnection);

// No silent takeover: one holder per account, whoever connected it first.
InstagramConnectionSchema.index(
  { instagramAccountId: 1 },
  { unique: true, partialFilterExpression: { isConnected: true } },
);
/**
 * Whom an account's webhooks belong to (InstagramConnectionsService.findForWebhook): its holder
 * first, then whoever changed it last. The partial unique index above cannot serve this query (it
 * also reads disconnected rows), so without this one every route lookup scanned the collection.
 */
export const WEBHOOK_ROUTE_SORT = {
  isConnected: -1,
  updatedAt: -1,
  _id: -1,
} as const;
InstagramConnectionSchema.index({
  instagramAccountId: 1,
  ...WEBHOOK_ROUTE_SORT,
});
// One document per user and account: reconnecting updates it.
InstagramConnectionSchema.index(
  { userId: 1, instagramAccountId: 1 },
  { unique: true },
);
// The token maintenance pass walks the working connections.
InstagramConnectionSchema.index({ state: 1, _id: 1 });
