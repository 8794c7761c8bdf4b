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
  instagramAppId: string;
  instagramAppSecret: string;
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
 * Meta delivers an Instagram event only for a field chosen at app level (the `instagram` object
 * in the App Dashboard), and only along a subscription of the account:
 * - Facebook Login: the app is subscribed to the account's Page (`POST /{page-id}/subscribed_apps`,
 *   any Page fields); signed with the Meta app's secret;
 * - Instagram Login: the account's `POST /me/subscribed_apps` has the field; signed with the
 *   Instagram app's secret.
 * Events delivered along neither are recorded as skipped, with the reason, so tests and people
 * see why nothing arrived.
 */
export function deliverEvents(
  ctx: SandboxContext,
  built: BuiltEvent[],
): WebhookDelivery[] {
  const viaPage: BuiltEvent[] = [];
  const viaInstagramLogin: BuiltEvent[] = [];
  const skipped: { event: BuiltEvent; reason: string }[] = [];
  for (const item of built) {
    const field = webhookFieldOf(item.event);
    const account = ctx.world.instagramAccounts.get(item.instagramAccountId);
    const pageSubscribed =
      account?.pageId !== undefined &&
      ctx.world.subscriptions.has(account.pageId);
    const loginFields = ctx.world.instagramLoginSubscriptions.get(
      item.instagramAccountId,
    );
    if (!ctx.world.appInstagramWebhookFields.includes(field)) {
      skipped.push({
        event: item,
        reason: `The app's Instagram webhook fields (App Dashboard) do not include ${field}`,
      });
      continue;
    }
    if (pageSubscribed) viaPage.push(item);
    if (loginFields?.includes(field)) viaInstagramLogin.push(item);
    if (!pageSubscribed && !loginFields) {
      skipped.push({
        event: item,
        reason: `The app is not subscribed to account ${item.instagramAccountId}: neither to its Page (POST /{page-id}/subscribed_apps) nor through Instagram Login (POST /me/subscribed_apps)`,
      });
    } else if (!pageSubscribed && !loginFields?.includes(field)) {
      skipped.push({
        event: item,
        reason: `The Instagram Login subscription of account ${item.instagramAccountId} does not include the ${field} field`,
      });
    }
  }
  const now = ctx.world.now();
  const deliveries: WebhookDelivery[] = [];
  if (viaPage.length > 0)
    deliveries.push(ctx.sender.send(buildWebhookPayload(viaPage, now)));
  if (viaInstagramLogin.length > 0)
    deliveries.push(
      ctx.sender.send(buildWebhookPayload(viaInstagramLogin, now), {
        signedBy: 'instagram_app',
      }),
    );
  for (const { event, reason } of skipped) {
    deliveries.push(
      ctx.sender.send(buildWebhookPayload([event], now), {
        skipReason: reason,
      }),
    );
  }
  return deliveries;
}
