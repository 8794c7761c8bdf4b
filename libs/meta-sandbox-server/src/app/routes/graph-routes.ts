import type { PageAccountsResponse } from '@instantchat/meta-platform';
import type { AppToken } from '../graph-auth';
import { GraphErrors } from '../graph-errors';
import { paginate, select, type Node } from '../graph-select';
import type { Router } from '../http/router';
import type { SandboxContext } from '../sandbox-context';
import type { SandboxWorld } from '../world';
import type { IssuedToken, SandboxPage } from '../world-model';
import { contactProfileNode } from './contact-profile';
import { canSeePage, graph, requireScope } from './graph-handler';
import { handleSendApi } from './send-api';

/**
 * The Graph objects of Facebook Login: `/me`, `/me/accounts` (Pages with Page tokens), Pages,
 * Instagram professional accounts and the profiles of people who wrote, plus the Send API paths.
 */
export function registerGraphRoutes(router: Router, ctx: SandboxContext): void {
  const v = `/${ctx.config.graphVersion}`;
  const { world } = ctx;

  router.add(
    'GET',
    `${v}/me`,
    graph(ctx, (req, token) => {
      if (token.type === 'APP') return GraphErrors.unknownPath('me');
      if (token.type === 'PAGE') {
        const page = world.pages.get(token.pageIds[0]) as SandboxPage;
        return select(req, 'Page', pageNode(world, page, token), {
          id: page.id,
          name: page.name,
        });
      }
      return select(
        req,
        'User',
        { id: world.facebookUser.id, name: world.facebookUser.name },
        { id: world.facebookUser.id, name: world.facebookUser.name },
      );
    }),
  );

  router.add(
    'GET',
    `${v}/me/accounts`,
    graph(ctx, (req, token) => {
      if (token.type !== 'USER') return GraphErrors.unknownObject('get', 'me');
      const denied = requireScope(token, 'pages_show_list');
      if (denied) return denied;
      const pages = token.pageIds
        .map((id) => world.pages.get(id))
        .filter((p): p is SandboxPage => p !== undefined);
      const window = paginate(req, pages.length, ctx.config.graphPageSize);
      if ('error' in window) return window.error;
      const data = pages.slice(window.start, window.end).map((page) => ({
        access_token: world.issuePageToken(token, page.id).value,
        category: page.category,
        category_list: [{ id: '2201', name: page.category }],
        name: page.name,
        id: page.id,
        tasks: [
          'ANALYZE',
          'ADVERTISE',
          'MESSAGING',
          'MODERATE',
          'CREATE_CONTENT',
          'MANAGE',
        ],
      }));
      const body: PageAccountsResponse = {
        data,
        ...(data.length > 0 ? { paging: window.paging(`${req.path}`) } : {}),
      };
      return { status: 200, json: body };
    }),
  );

  router.add(
    'POST',
    `${v}/me/messages`,
    graph(ctx, (req, token) => handleSendApi(ctx, req, token, undefined)),
  );
  router.add(
    'POST',
    `${v}/:id/messages`,
    graph(ctx, (req, token) =>
      handleSendApi(ctx, req, token, req.params['id']),
    ),
  );

  router.add(
    'GET',
    `${v}/:id`,
    graph(ctx, (req, token) => {
      const id = req.params['id'];
      const page = world.pages.get(id);
      if (page) {
        if (!canSeePage(token, page.id))
          return GraphErrors.unknownObject('get', id);
        return select(
          req,
          'Page',
          pageNode(world, page, token as IssuedToken),
          { name: page.name, id: page.id },
        );
      }
      const account = world.instagramAccounts.get(id);
      if (account) {
        if (!account.pageId || !canSeePage(token, account.pageId))
          return GraphErrors.unknownObject('get', id);
        const denied = requireScope(token, 'instagram_basic');
        if (denied) return denied;
        return select(req, 'IGUser', instagramAccountNode(world, id), { id });
      }
      const user = world.instagramUsers.get(id);
      if (user && token.type === 'PAGE') {
        const page = world.pages.get(token.pageIds[0]);
        const profile = contactProfileNode(
          world,
          page?.instagramAccountId,
          user,
        );
        if (profile) {
          const denied = requireScope(token, 'instagram_manage_messages');
          if (denied) return denied;
          return select(req, 'User', profile, { name: user.name, id: user.id });
        }
      }
      return GraphErrors.unknownObject('get', id);
    }),
  );
}

function pageNode(
  world: SandboxWorld,
  page: SandboxPage,
  token: IssuedToken | AppToken,
): Node {
  return {
    id: page.id,
    name: page.name,
    category: page.category,
    access_token:
      token.type === 'USER'
        ? () => world.issuePageToken(token, page.id).value
        : undefined,
    instagram_business_account: page.instagramAccountId
      ? instagramAccountNode(world, page.instagramAccountId)
      : undefined,
  };
}

function instagramAccountNode(world: SandboxWorld, id: string): Node {
  const account = world.instagramAccounts.get(id);
  if (!account) return { id };
  return {
    id: account.id,
    username: account.username,
    name: account.name,
    profile_picture_url: account.profilePictureUrl,
    followers_count: account.followersCount,
    ig_id: Number(account.id.slice(-10)),
  };
}
