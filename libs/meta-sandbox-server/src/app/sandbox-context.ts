import type { BuiltEvent } from './webhooks/sandbox-events';
import {
  buildWebhookPayload,
  deliveryFieldOf,
  type DeliveryForm,
} from './webhooks/webhook-payloads';
import type { WebhookDelivery, WebhookSender } from './webhooks/webhook-sender';
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

/**
 * Meta delivers an Instagram event only for a field chosen at app level (the `instagram` object
 * in the App Dashboard), and only along a subscription of the account:
 * - Facebook Login: the app is subscribed to the account's Page (`POST /{page-id}/subscribed_apps`,
 *   any Page fields); signed with the Meta app's secret;
 * - Instagram Login: the account's `POST /me/subscribed_apps` has the field; signed with the
 *   Instagram app's secret.
 * Events delivered along neither are recorded as skipped, with the reason, so tests and people
 * see why nothing arrived. In the `standby` form the field that must be chosen is `standby`.
 */
export function deliverEvents(
  ctx: SandboxContext,
  built: BuiltEvent[],
  form: DeliveryForm = 'messaging',
): WebhookDelivery[] {
  const viaPage: BuiltEvent[] = [];
  const viaInstagramLogin: BuiltEvent[] = [];
  const skipped: { event: BuiltEvent; reason: string }[] = [];
  for (const item of built) {
    const field = deliveryFieldOf(item.event, form);
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
    deliveries.push(ctx.sender.send(buildWebhookPayload(viaPage, now, form)));
  if (viaInstagramLogin.length > 0)
    deliveries.push(
      ctx.sender.send(buildWebhookPayload(viaInstagramLogin, now, form), {
        signedBy: 'instagram_app',
      }),
    );
  for (const { event, reason } of skipped) {
    deliveries.push(
      ctx.sender.send(buildWebhookPayload([event], now, form), {
        skipReason: reason,
      }),
    );
  }
  return deliveries;
}
