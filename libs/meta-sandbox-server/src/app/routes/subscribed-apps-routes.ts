import {
  INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  type SubscribedAppsResponse,
} from '@instantchat/meta-platform';
import { GraphErrors } from '../graph-errors';
import type { Router } from '../http/router';
import type { SandboxContext } from '../sandbox-context';
import {
  canSeePage,
  graph,
  requireScope,
  type AuthedHandler,
} from './graph-handler';

const SUBSCRIBABLE_PAGE_FIELDS = [
  ...INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  'messaging_optins',
  'message_deliveries',
  'message_echoes',
  'messaging_handovers',
  'standby',
  'feed',
];

/** `GET|POST|DELETE /{page-id}/subscribed_apps`: the app's webhook subscription on a Page. */
export function registerSubscribedAppsRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const v = `/${ctx.config.graphVersion}`;
  const { world, config } = ctx;

  const subscribedApps =
    (method: 'get' | 'post' | 'delete'): AuthedHandler =>
    (req, token) => {
      const page = world.pages.get(req.params['id']);
      if (!page || !canSeePage(token, page.id))
        return GraphErrors.unknownObject(method, req.params['id']);
      if (token.type !== 'PAGE')
        return GraphErrors.permissionMissing('pages_manage_metadata');
      const denied = requireScope(token, 'pages_manage_metadata');
      if (denied) return denied;
      if (method === 'get') {
        const fields = world.subscriptions.get(page.id);
        const body: SubscribedAppsResponse = {
          data: fields
            ? [
                {
                  category: 'Business',
                  link: 'https://instantchat.example/',
                  name: config.appName,
                  id: config.appId,
                  subscribed_fields: fields,
                },
              ]
            : [],
        };
        return { status: 200, json: body };
      }
      if (method === 'delete') {
        world.subscriptions.delete(page.id);
        return { status: 200, json: { success: true } };
      }
      const raw =
        req.query.get('subscribed_fields') ??
        (typeof req.body['subscribed_fields'] === 'string'
          ? req.body['subscribed_fields']
          : undefined);
      const list = Array.isArray(req.body['subscribed_fields'])
        ? (req.body['subscribed_fields'] as unknown[]).map(String)
        : raw
            ?.split(',')
            .map((f) => f.trim())
            .filter(Boolean);
      if (!list || list.length === 0)
        return GraphErrors.invalidParameter(
          'The parameter subscribed_fields is required',
        );
      const unknown = list.find((f) => !SUBSCRIBABLE_PAGE_FIELDS.includes(f));
      if (unknown)
        return GraphErrors.invalidParameter(
          `Param subscribed_fields must be one of {${SUBSCRIBABLE_PAGE_FIELDS.join(', ')}} - got "${unknown}"`,
        );
      world.subscriptions.set(page.id, [...new Set(list)]);
      return { status: 200, json: { success: true } };
    };
  router.add(
    'GET',
    `${v}/:id/subscribed_apps`,
    graph(ctx, subscribedApps('get')),
  );
  router.add(
    'POST',
    `${v}/:id/subscribed_apps`,
    graph(ctx, subscribedApps('post')),
  );
  router.add(
    'DELETE',
    `${v}/:id/subscribed_apps`,
    graph(ctx, subscribedApps('delete')),
  );
}
