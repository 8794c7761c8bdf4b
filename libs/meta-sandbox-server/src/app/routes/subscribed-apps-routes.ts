import type { SubscribedAppsResponse } from '@instantchat/meta-platform';
import { GraphErrors } from '../graph-errors';
import type { Reply, Router, SandboxRequest } from '../http/router';
import type { SandboxContext } from '../sandbox-context';
import {
  canSeePage,
  graph,
  requireScope,
  type AuthedHandler,
} from './graph-handler';

/**
 * The Page webhook fields Meta accepts on `POST /{page-id}/subscribed_apps` (Messenger Platform
 * names). Instagram's names (`messaging_seen`, `message_edit`, `messaging_referral`) are not
 * among them: Instagram fields are chosen at app level.
 */
export const PAGE_WEBHOOK_FIELDS = [
  'feed',
  'mention',
  'inbox_labels',
  'messages',
  'message_deliveries',
  'message_echoes',
  'message_edits',
  'message_reactions',
  'message_reads',
  'messaging_account_linking',
  'messaging_feedback',
  'messaging_game_plays',
  'messaging_handovers',
  'messaging_optins',
  'messaging_optouts',
  'messaging_policy_enforcement',
  'messaging_postbacks',
  'messaging_referrals',
  'standby',
];

/**
 * `subscribed_fields` from the query or the body (comma-separated or an array), checked against
 * the fields the object takes, refused with Meta's words:
 * `(#100) Param subscribed_fields[1] must be one of {…} - got messaging_seen`.
 */
export function readSubscribedFields(
  req: SandboxRequest,
  allowed: readonly string[],
): { fields: string[] } | { error: Reply } {
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
    return {
      error: GraphErrors.invalidParameter(
        'The parameter subscribed_fields is required',
      ),
    };
  const index = list.findIndex((f) => !allowed.includes(f));
  if (index >= 0)
    return {
      error: GraphErrors.invalidParameter(
        `Param subscribed_fields[${index}] must be one of {${allowed.join(', ')}} - got ${list[index]}`,
      ),
    };
  return { fields: [...new Set(list)] };
}

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
      const read = readSubscribedFields(req, PAGE_WEBHOOK_FIELDS);
      if ('error' in read) return read.error;
      world.subscriptions.set(page.id, read.fields);
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
