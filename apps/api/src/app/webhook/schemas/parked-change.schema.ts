import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types } from 'mongoose';

/**
 * A reaction, read, edit or unsend that arrived before the message it concerns (Meta does not
 * keep order across deliveries). Kept until that message is stored, then applied.
 */
@Schema({ collection: 'webhookparkedchanges' })
export class ParkedChange {
  @Prop({ type: Types.ObjectId, required: true })
  conversationId!: Types.ObjectId;
  @Prop({ required: true }) externalMessageId!: string;
  /** The delivery and item it came from. */
  @Prop({ type: Types.ObjectId, required: true }) eventId!: Types.ObjectId;
  @Prop({ required: true }) itemIndex!: number;
  /** The item as `readWebhookItems` read it (its `at` as a date). */
  @Prop({ type: Object, required: true }) item!: Record<string, unknown>;
  @Prop({ required: true }) parkedAt!: Date;
}

export type ParkedChangeDocument = HydratedDocument<ParkedChange>;

export const ParkedChangeSchema = SchemaFactory.createForClass(ParkedChange);

/** A change whose message never came (it predates the connection, or Meta lost it) is let go. */
export const PARKED_CHANGE_TTL_SECONDS = 30 * 24 * 60 * 60;

ParkedChangeSchema.index({ conversationId: 1, externalMessageId: 1 });
ParkedChangeSchema.index(
  { parkedAt: 1 },
  { expireAfterSeconds: PARKED_CHANGE_TTL_SECONDS },
);
// A redelivered or retried item parks once.
ParkedChangeSchema.index({ eventId: 1, itemIndex: 1 }, { unique: true });
