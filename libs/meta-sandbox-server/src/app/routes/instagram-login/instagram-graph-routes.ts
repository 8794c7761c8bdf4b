import {
  INSTAGRAM_WEBHOOK_FIELDS,
  type SubscribedAppsResponse,
} from '@instantchat/meta-platform';
import { select } from '../../graph-select';
import type { Router } from '../../http/router';
import { INSTAGRAM_HOSTS } from '../../instagram-hosts';
import { GraphErrors } from '../../graph-errors';
import type { SandboxContext } from '../../sandbox-context';
import { contactProfileNode } from '../contact-profile';
import { handleInstagramLoginSendApi } from '../send-api';
import { readSubscribedFields } from '../subscribed-apps-routes';
import {
  instagramGraph,
  requireInstagramScope,
} from './instagram-graph-handler';

/**
 * graph.instagram.com for an Instagram Login token: `/me` (the professional account, keyed by
 * `user_id` as webhooks carry it in `entry[].id`; `id` is app-scoped), `me/subscribed_apps` with
 * Instagram's field names, the Send API, and the User Profile API (`/{igsid}`) for people who
 * messaged the account.
 */
export function registerInstagramGraphRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const v = `${INSTAGRAM_HOSTS.graph}/${ctx.config.graphVersion}`;
  const { world, config } = ctx;

  router.add(
    'GET',
    `${v}/me`,
    instagramGraph(ctx, (req, token) => {
      const denied = requireInstagramScope(token, 'instagram_business_basic');
      if (denied) return denied;
      const account = world.instagramAccounts.get(
        token.instagramAccountId ?? '',
      );
      if (!account) return select(req, 'User', {}, {});
      return select(
        req,
        'User',
        {
          id: account.appScopedId,
          user_id: account.id,
          username: account.username,
          name: account.name,
          account_type: 'BUSINESS',
          profile_picture_url: account.profilePictureUrl,
          followers_count: account.followersCount,
          follows_count: 12,
          media_count: 34,
        },
        { id: account.appScopedId },
      );
    }),
  );

  router.add(
    'GET',
    `${v}/me/subscribed_apps`,
    instagramGraph(ctx, (_req, token) => {
      const fields = world.instagramLoginSubscriptions.get(
        token.instagramAccountId ?? '',
      );
      const body: SubscribedAppsResponse = {
        data: fields
          ? [
              {
                id: config.instagramAppId,
                name: config.appName,
                subscribed_fields: fields,
              },
            ]
          : [],
      };
      return { status: 200, json: body };
    }),
  );
  router.add(
    'POST',
    `${v}/me/subscribed_apps`,
    instagramGraph(ctx, (req, token) => {
      const denied = requireInstagramScope(token, 'instagram_business_basic');
      if (denied) return denied;
      const read = readSubscribedFields(req, INSTAGRAM_WEBHOOK_FIELDS);
      if ('error' in read) return read.error;
      world.instagramLoginSubscriptions.set(
        token.instagramAccountId ?? '',
        read.fields,
      );
      return { status: 200, json: { success: true } };
    }),
  );
  router.add(
    'DELETE',
    `${v}/me/subscribed_apps`,
    instagramGraph(ctx, (_req, token) => {
      world.instagramLoginSubscriptions.delete(token.instagramAccountId ?? '');
      return { status: 200, json: { success: true } };
    }),
  );

  router.add(
    'POST',
    `${v}/me/messages`,
    instagramGraph(ctx, (req, token) =>
      handleInstagramLoginSendApi(ctx, req, token, undefined),
    ),
  );
  router.add(
    'POST',
    `${v}/:id/messages`,
    instagramGraph(ctx, (req, token) =>
      handleInstagramLoginSendApi(ctx, req, token, req.params['id']),
    ),
  );

  // Registered after /me: the router tries routes in order.
  router.add(
    'GET',
    `${v}/:id`,
    instagramGraph(ctx, (req, token) => {
      const id = req.params['id'] ?? '';
      const user = world.instagramUsers.get(id);
      const profile = contactProfileNode(world, token.instagramAccountId, user);
      if (!profile || !user) return GraphErrors.unknownObject('get', id);
      const denied = requireInstagramScope(
        token,
        'instagram_business_manage_messages',
      );
      if (denied) return denied;
      return select(req, 'User', profile, { name: user.name, id: user.id });
    }),
  );
}
