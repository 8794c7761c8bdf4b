import { INSTAGRAM_WEBHOOK_FIELDS } from '@instantchat/meta-platform';
import type { Router } from '../../http/router';
import type { SandboxContext } from '../../sandbox-context';
import {
  CONTROL_API_BASE,
  badRequest,
  summarizeDelivery,
} from './control-replies';
import { dashboardTestPayload } from '../../webhooks/webhook-payloads';

/** What the App Dashboard's webhook settings do: the callback URL, its verification, deliveries. */
export function registerWebhookControlRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const base = CONTROL_API_BASE;

  router.add('GET', `${base}/webhooks/deliveries`, () => ({
    status: 200,
    json: { data: ctx.sender.deliveries.map(summarizeDelivery) },
  }));

  router.add('PUT', `${base}/webhooks/callback`, (req) => {
    const url = req.body['url'];
    if (url !== null && (typeof url !== 'string' || !/^https?:\/\//.test(url)))
      return badRequest('url must be an http(s) URL or null');
    ctx.sender.callbackUrl = (url as string | null) ?? undefined;
    return {
      status: 200,
      json: { callbackUrl: ctx.sender.callbackUrl ?? null },
    };
  });

  // The App Dashboard's choice of fields for the `instagram` object (both login methods).
  router.add('PUT', `${base}/webhooks/instagram-fields`, (req) => {
    const fields = req.body['fields'];
    if (
      !Array.isArray(fields) ||
      !fields.every(
        (f) =>
          typeof f === 'string' &&
          (INSTAGRAM_WEBHOOK_FIELDS as readonly string[]).includes(f),
      )
    )
      return badRequest(
        `fields must be an array of ${INSTAGRAM_WEBHOOK_FIELDS.join(', ')}`,
      );
    ctx.world.appInstagramWebhookFields = [...new Set(fields as string[])];
    return {
      status: 200,
      json: { fields: ctx.world.appInstagramWebhookFields },
    };
  });

  // The App Dashboard's "Test" button beside the `messages` field: Meta's fixed sample, in the
  // `changes` form, about ids no account has.
  router.add('POST', `${base}/webhooks/test`, (req) => {
    const field = req.body['field'] ?? 'messages';
    if (field !== 'messages')
      return badRequest('field must be messages (the only sample sent)');
    const delivery = ctx.sender.send(dashboardTestPayload(ctx.world.now()));
    return { status: 202, json: summarizeDelivery(delivery) };
  });

  // What the App Dashboard does when a callback URL is saved: Meta's verification request.
  router.add('POST', `${base}/webhooks/verify`, async () => {
    const callback = ctx.sender.callbackUrl;
    if (!callback) return badRequest('No webhook callback URL is configured');
    const challenge = String(Math.floor(Math.random() * 1e9));
    const url = new URL(callback);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', ctx.config.webhookVerifyToken);
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      const verified = response.status === 200 && text === challenge;
      return { status: 200, json: { verified, status: response.status } };
    } catch (err) {
      return {
        status: 200,
        json: {
          verified: false,
          error: err instanceof Error ? err.message : String(err),
        },
      };
    }
  });
}
