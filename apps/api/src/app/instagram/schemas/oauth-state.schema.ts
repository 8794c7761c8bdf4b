import type { InstagramLoginMethod } from '@instantchat/contracts';
import { INSTAGRAM_LOGIN_METHODS } from '@instantchat/contracts';
import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types } from 'mongoose';

/** How long a record outlives its expiry, so a late callback reads "expired" or "used", not "forged". */
export const OAUTH_STATE_RETENTION_SECONDS = 60 * 60;

/**
 * One OAuth `state` handed out by `GET /api/instagram/auth/instagram`. Only its SHA-256 is stored:
 * someone reading the database cannot complete a flow with it. It names the user and the login
 * method, since the callback arrives without a bearer token.
 */
@Schema({
  collection: 'oauthstates',
  timestamps: { createdAt: true, updatedAt: false },
})
export class OAuthState {
  @Prop({ required: true, unique: true })
  stateHash!: string;

  /** SHA-256 of the key in the requesting browser's cookie: the callback must come from there. */
  @Prop({ required: true })
  browserKeyHash!: string;

  @Prop({ type: Types.ObjectId, required: true })
  userId!: Types.ObjectId;

  @Prop({ type: String, enum: INSTAGRAM_LOGIN_METHODS, required: true })
  method!: InstagramLoginMethod;

  /** The state is accepted until then (10 minutes after it was issued). */
  @Prop({ required: true })
  expiresAt!: Date;

  /** Set atomically by the one callback that burns it; null until then. */
  @Prop({ type: Date, default: null })
  usedAt!: Date | null;

  createdAt!: Date;
}

export type OAuthStateDocument = HydratedDocument<OAuthState>;

export const OAuthStateSchema = SchemaFactory.createForClass(OAuthState);

OAuthStateSchema.index(
  { expiresAt: 1 },
  { expireAfterSeconds: OAUTH_STATE_RETENTION_SECONDS },
);
