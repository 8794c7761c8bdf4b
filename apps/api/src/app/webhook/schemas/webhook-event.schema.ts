import {
  WEBHOOK_EVENT_STATUSES,
  WEBHOOK_IGNORED_REASONS,
  WEBHOOK_ITEM_KINDS,
  type WebhookEventStatus,
  type WebhookIgnoredReason,
  type WebhookItemKind,
} from '@instantchat/contracts';
import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { type HydratedDocument, Types } from 'mongoose';

/** One item of a delivery (a message, reaction, read, …) and where it stands. */
@Schema({ _id: false })
export class WebhookEventItem {
  /** Position in the delivery, as `readWebhookItems` numbers it. */
  @Prop({ required: true }) index!: number;

  @Prop({ type: String, enum: WEBHOOK_ITEM_KINDS, required: true })
  kind!: WebhookItemKind;

  @Prop() accountId?: string;
  @Prop() contactId?: string;
  @Prop() externalMessageId?: string;

  /** The owner of the account when the item was routed: who may see and retry it. */
  @Prop({ type: Types.ObjectId }) ownerUserId?: Types.ObjectId;

  @Prop({ type: String, enum: WEBHOOK_EVENT_STATUSES, required: true })
  status!: WebhookEventStatus;

  @Prop({ default: 0 }) attempts!: number;

  @Prop({ type: String, enum: WEBHOOK_IGNORED_REASONS })
  reason?: WebhookIgnoredReason;

  @Prop() lastError?: string;

  /** A pending item is tried again from this instant on. */
  @Prop() nextAttemptAt?: Date;
}
const WebhookEventItemSchema = SchemaFactory.createForClass(WebhookEventItem);

/**
 * One webhook delivery as Meta sent it: the durable inbox. Stored before Meta gets its 200 and
 * worked on afterwards, so a crash between the two loses nothing.
 */
@Schema({ collection: 'webhookevents' })
export class WebhookEvent {
  /** The body exactly as received (the signed bytes, as UTF-8 text). */
  @Prop({ required: true }) rawBody!: string;

  /** SHA-256 of the body: Meta redelivers the same bytes, which are stored once. */
  @Prop({ required: true }) digest!: string;

  @Prop({ required: true }) receivedAt!: Date;

  /** Meta's `Facebook-API-Version` header: which Graph version shaped the payload. */
  @Prop() apiVersion?: string;

  /** The id of the request that brought it (X-Request-Id): its processing logs carry it too. */
  @Prop() requestId?: string;

  /** `pending` until every item ended; then failed, processed or ignored (see WebhookEventStatus). */
  @Prop({ type: String, enum: WEBHOOK_EVENT_STATUSES, required: true })
  status!: WebhookEventStatus;

  /** How many times the processor took it up. */
  @Prop({ default: 0 }) attempts!: number;

  /** Why the whole delivery failed or was ignored (not JSON, another `object`), or the last pass's error. */
  @Prop({ type: String, default: null }) lastError!: string | null;

  /** When a pending delivery is next due; the sweep picks up what is due. */
  @Prop({ type: Date, default: null }) nextAttemptAt!: Date | null;

  /** A processor holds the delivery until then; a crashed one's hold simply runs out. */
  @Prop({ type: Date, default: null }) leaseUntil!: Date | null;

  /** The claim that took it up last (several are claimed under one token): see WebhookClaims.claimDue. */
  @Prop({ type: String }) leaseId?: string;

  /**
   * When the delivery ended `processed` or `ignored`; the TTL index `finishedAt_ttl` removes it
   * WEBHOOK_RETENTION_DAYS later (`webhook-retention.ts`). Null while pending or failed.
   */
  @Prop({ type: Date, default: null }) finishedAt!: Date | null;

  /** Filled the first time the processor reads the body. */
  @Prop({ type: [WebhookEventItemSchema], default: [] })
  items!: WebhookEventItem[];

  @Prop({ default: false }) itemsRead!: boolean;

  /**
   * The accounts the body names (`entry[].id`), recorded at intake for pending deliveries: whose
   * delivery it is while its items are not read yet (`itemsRead` false), so an owner's list shows
   * what is waiting. Absent on deliveries stored before it existed (and on failed or ignored ones).
   */
  @Prop({ type: [String], default: undefined }) accountIds?: string[];
}

export type WebhookEventDocument = HydratedDocument<WebhookEvent>;
export type WebhookEventRecord = WebhookEvent & { _id: Types.ObjectId };

export const WebhookEventSchema = SchemaFactory.createForClass(WebhookEvent);

WebhookEventSchema.index({ digest: 1 }, { unique: true });
/** Pending deliveries due at `now` that no processor holds: what the sweep claims. */
export function dueDeliveries(now: Date) {
  return {
    status: 'pending' as const,
    nextAttemptAt: { $lte: now },
    $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
  };
}
/**
 * The order the sweep claims them in, due longest first: the index below gives it (ties in the
 * index's order), so a claim reads only as far as it takes. A sort by `_id` as well is one the
 * index cannot give: every claim then read and sorted the whole backlog.
 */
export const DUE_ORDER = { nextAttemptAt: 1 } as const;
WebhookEventSchema.index({ status: 1, nextAttemptAt: 1 });
// The backlog: the oldest pending delivery.
WebhookEventSchema.index({ status: 1, receivedAt: 1 });
// An owner's events, newest first.
WebhookEventSchema.index({ 'items.ownerUserId': 1, _id: -1 });
WebhookEventSchema.index({ 'items.accountId': 1, _id: -1 });
// An owner's deliveries not read yet, newest first: only those, so the index stays small.
WebhookEventSchema.index(
  { accountIds: 1, _id: -1 },
  { partialFilterExpression: { itemsRead: false } },
);
