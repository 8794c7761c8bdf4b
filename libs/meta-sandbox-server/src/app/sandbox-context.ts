import type { InstagramMessagingEvent } from '@instantchat/meta-platform';
import type { BuiltEvent } from './webhooks/sandbox-events';
import {
  buildWebhookPayload,
  type WebhookDelivery,
  type WebhookSender,
} from './webhooks/webhook-sender';
import type { SandboxWorld } from './world';

export interface SandboxConfig {
  appId: string;
  appSecret: string;
  appName: string;
  graphVersion: string;
  redirectUris: string[];
  webhookVerifyToken: string;
  requireAppSecretProof: boolean;
  /** Most items a Graph list returns per page, whatever `limit` asks for. */
  graphPageSize: number;
}

export interface SandboxContext {
  world: SandboxWorld;
  sender: WebhookSender;
  config: SandboxConfig;
  log: (line: string) => void;
}

/** The Page webhook field that carries each kind of messaging event. */
export function webhookFieldOf(event: InstagramMessagingEvent): string {
  if ('message' in event) return 'messages';
  if ('read' in event) return 'messaging_seen';
  if ('reaction' in event) return 'message_reactions';
  if ('message_edit' in event) return 'message_edit';
  if ('postback' in event) return 'messaging_postbacks';
  return 'messaging_referral';
}

/**
 * Meta delivers an event only if the app is subscribed to the account's Page for that field;
 * events that would not be delivered are recorded as skipped so tests and people see why.
 */
export function deliverEvents(
  ctx: SandboxContext,
  built: BuiltEvent[],
): WebhookDelivery[] {
  const deliverable: BuiltEvent[] = [];
  const skipped: { event: BuiltEvent; reason: string }[] = [];
  for (const item of built) {
    const account = ctx.world.instagramAccounts.get(item.instagramAccountId);
    const fields = account
      ? ctx.world.subscriptions.get(account.pageId)
      : undefined;
    const field = webhookFieldOf(item.event);
    if (!account || !fields) {
      skipped.push({
        event: item,
        reason: `The app is not subscribed to the Page of account ${item.instagramAccountId} (POST /{page-id}/subscribed_apps)`,
      });
    } else if (!fields.includes(field)) {
      skipped.push({
        event: item,
        reason: `The app's subscription to Page ${account.pageId} does not include the ${field} field`,
      });
    } else {
      deliverable.push(item);
    }
  }
  const deliveries: WebhookDelivery[] = [];
  if (deliverable.length > 0)
    deliveries.push(
      ctx.sender.send(buildWebhookPayload(deliverable, ctx.world.now())),
    );
  for (const { event, reason } of skipped) {
    deliveries.push(
      ctx.sender.send(buildWebhookPayload([event], ctx.world.now()), reason),
    );
  }
  return deliveries;
}
