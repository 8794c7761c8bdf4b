import type { Router } from '../../http/router';
import type { SandboxContext } from '../../sandbox-context';
import { CONTROL_API_BASE } from './control-replies';
import { registerFaultAndTokenRoutes } from './fault-and-token-routes';
import { registerPeopleAndEventRoutes } from './people-and-event-routes';
import { registerWebhookControlRoutes } from './webhook-control-routes';

/**
 * The sandbox's own API for tests and for the "DM as an Instagram user" page: create people,
 * make them act, read what the Send API received, inject faults, move the clock, reset.
 * It is not part of Meta's surface; errors use InstantChat's `{statusCode, error, message}`.
 */
export function registerControlRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const { world } = ctx;
  const base = CONTROL_API_BASE;

  router.add('GET', `${base}/state`, () => ({
    status: 200,
    json: {
      app: {
        id: ctx.config.appId,
        name: ctx.config.appName,
        graphVersion: ctx.config.graphVersion,
        redirectUris: ctx.config.redirectUris,
        instagramAppId: ctx.config.instagramAppId,
        instagramWebhookFields: world.appInstagramWebhookFields,
        instagramTokenShape: world.instagramTokenShape,
      },
      now: world.now(),
      facebookUser: world.facebookUser,
      pages: [...world.pages.values()].map((p) => ({
        ...p,
        subscribedFields: world.subscriptions.get(p.id) ?? null,
      })),
      instagramAccounts: [...world.instagramAccounts.values()].map((a) => ({
        ...a,
        instagramLoginSubscribedFields:
          world.instagramLoginSubscriptions.get(a.id) ?? null,
      })),
      instagramUsers: [...world.instagramUsers.values()],
      webhookCallbackUrl: ctx.sender.callbackUrl ?? null,
      faults: world.faults,
    },
  }));

  router.add('POST', `${base}/reset`, () => {
    world.reset();
    ctx.sender.clear();
    return { status: 200, json: { reset: true } };
  });

  registerPeopleAndEventRoutes(router, ctx);
  registerFaultAndTokenRoutes(router, ctx);
  registerWebhookControlRoutes(router, ctx);
}
