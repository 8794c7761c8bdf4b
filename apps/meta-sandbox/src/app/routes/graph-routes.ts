import {
  INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  type AccessTokenResponse,
  type DebugTokenResponse,
  type PageAccountsResponse,
  type SubscribedAppsResponse,
} from '@instantchat/meta-platform';
import { authenticate, faultReply, type AppToken } from '../graph-auth';
import { GraphErrors } from '../graph-errors';
import { parseFields, FieldsSyntaxError, type FieldSelection } from '../fields';
import type { Reply, Router, SandboxRequest } from '../http/router';
import type { SandboxContext } from '../sandbox-context';
import { SandboxWorld, type IssuedToken, type SandboxPage } from '../world';
import { handleSendApi } from './send-api';

type AuthedHandler = (
  req: SandboxRequest,
  token: IssuedToken | AppToken,
) => Reply | Promise<Reply>;

const SUBSCRIBABLE_PAGE_FIELDS = [
  ...INSTAGRAM_MESSAGING_WEBHOOK_FIELDS,
  'messaging_optins',
  'message_deliveries',
  'message_echoes',
  'messaging_handovers',
  'standby',
  'feed',
];

/** Applies an injected fault, if one matches, before the request's own logic runs. */
async function withFault(
  ctx: SandboxContext,
  req: SandboxRequest,
  token: IssuedToken | undefined,
  next: () => Reply | Promise<Reply>,
): Promise<Reply> {
  const fault = ctx.world.takeFault(req.path);
  if (fault) {
    const page = token ? ctx.world.pages.get(token.pageIds[0]) : undefined;
    const reply = faultReply(
      fault,
      page?.businessId ?? ctx.config.appId,
      token,
      ctx.world.now(),
    );
    if (reply) return reply;
    const delayed = await next();
    return { ...delayed, delayMs: fault.delayMs ?? 3_000 };
  }
  return next();
}

function graph(ctx: SandboxContext, handler: AuthedHandler) {
  return (req: SandboxRequest): Promise<Reply> | Reply => {
    const auth = authenticate(req, ctx.world, ctx.config);
    if ('error' in auth) return auth.error;
    const token = auth.token;
    return withFault(ctx, req, token.type === 'APP' ? undefined : token, () =>
      handler(req, token),
    );
  };
}

function requireScope(
  token: IssuedToken | AppToken,
  scope: string,
): Reply | undefined {
  if (token.type === 'APP' || !token.scopes.includes(scope))
    return GraphErrors.permissionMissing(scope);
  return undefined;
}

function canSeePage(token: IssuedToken | AppToken, pageId: string): boolean {
  return token.type !== 'APP' && token.pageIds.includes(pageId);
}

export function registerGraphRoutes(router: Router, ctx: SandboxContext): void {
  const v = `/${ctx.config.graphVersion}`;
  const { world, config } = ctx;

  router.add('GET', `${v}/oauth/access_token`, (req) =>
    withFault(ctx, req, undefined, () => exchangeToken(req, world, config)),
  );

  router.add(
    'GET',
    `${v}/debug_token`,
    graph(ctx, (req, caller) => {
      const input = req.query.get('input_token');
      if (!input) return GraphErrors.missingParameter('input_token');
      // Meta answers 200 with is_valid:false, an error object and nothing else it cannot know
      // (no app, type, user or expiry) for a token it cannot parse.
      const token = world.tokens.get(input);
      if (!token || token.appId !== caller.appId) {
        return {
          status: 200,
          json: {
            data: {
              error: { code: 190, message: 'Invalid OAuth access token.' },
              is_valid: false,
              scopes: [],
            },
          } satisfies DebugTokenResponse,
        };
      }
      const expired =
        token.expiresAt !== undefined && token.expiresAt <= world.now();
      const body: DebugTokenResponse = {
        data: {
          app_id: token.appId,
          type: token.type,
          application: config.appName,
          data_access_expires_at: Math.floor(
            (token.issuedAt + 90 * 86_400_000) / 1000,
          ),
          expires_at:
            token.expiresAt === undefined
              ? 0
              : Math.floor(token.expiresAt / 1000),
          issued_at: Math.floor(token.issuedAt / 1000),
          is_valid: !expired && !token.invalidated,
          scopes: token.scopes,
          user_id: token.userId,
          ...(token.type === 'PAGE' ? { profile_id: token.pageIds[0] } : {}),
          ...(token.invalidated
            ? {
                error: {
                  code: 190,
                  subcode: 460,
                  message:
                    'The session has been invalidated because the user changed their password.',
                },
              }
            : expired
              ? {
                  error: {
                    code: 190,
                    subcode: 463,
                    message: 'Session has expired.',
                  },
                }
              : {}),
        },
      };
      return { status: 200, json: body };
    }),
  );

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
        if (!canSeePage(token, account.pageId))
          return GraphErrors.unknownObject('get', id);
        const denied = requireScope(token, 'instagram_basic');
        if (denied) return denied;
        return select(req, 'IGUser', instagramAccountNode(world, id), { id });
      }
      const user = world.instagramUsers.get(id);
      if (user && token.type === 'PAGE') {
        const page = world.pages.get(token.pageIds[0]);
        const accountId = page?.instagramAccountId;
        // The profile API answers only for people who have messaged this business.
        if (
          accountId &&
          world.lastInboundAt.has(world.conversationKey(accountId, user.id))
        ) {
          const denied = requireScope(token, 'instagram_manage_messages');
          if (denied) return denied;
          return select(
            req,
            'User',
            {
              id: user.id,
              name: user.name,
              username: user.username,
              profile_pic: user.profilePic,
              follower_count: user.followerCount,
              is_user_follow_business: user.followsBusiness,
              is_business_follow_user: false,
              is_verified_user: user.isVerified,
            },
            { name: user.name, id: user.id },
          );
        }
      }
      return GraphErrors.unknownObject('get', id);
    }),
  );
}

type Node = Record<string, unknown | ((sel: FieldSelection | true) => unknown)>;

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

class UnknownFieldError extends Error {
  constructor(
    readonly field: string,
    readonly nodeType: string,
  ) {
    super(field);
  }
}

/** Projects a node onto the requested `fields`, with Meta's default selection when absent. */
function select(
  req: SandboxRequest,
  nodeType: string,
  node: Node,
  defaults: Record<string, unknown>,
): Reply {
  let selection: FieldSelection | undefined;
  try {
    selection = parseFields(req.query.get('fields'));
  } catch (err) {
    if (err instanceof FieldsSyntaxError)
      return GraphErrors.invalidParameter(
        `Syntax error "${err.message}" in fields`,
      );
    throw err;
  }
  if (!selection) return { status: 200, json: defaults };
  try {
    return { status: 200, json: project(node, selection, nodeType) };
  } catch (err) {
    if (err instanceof UnknownFieldError)
      return GraphErrors.nonexistingField(err.field, err.nodeType);
    throw err;
  }
}

function project(
  node: Node,
  selection: FieldSelection,
  nodeType: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, nested] of selection) {
    if (!(field in node)) throw new UnknownFieldError(field, nodeType);
    let value = node[field];
    if (typeof value === 'function') value = value(nested);
    if (value === undefined) continue; // Meta omits empty edges, e.g. a Page without Instagram.
    if (nested !== true && value && typeof value === 'object') {
      value = project(value as Node, nested, field);
    } else if (
      value &&
      typeof value === 'object' &&
      'id' in (value as object)
    ) {
      value = { id: (value as { id: unknown }).id };
    }
    out[field] = value;
  }
  if (!('id' in out) && 'id' in node) out['id'] = node['id'];
  return out;
}

const cursor = (index: number) =>
  Buffer.from(`sandbox:${index}`).toString('base64url');

/** Cursor-based paging as Meta does it: `limit`, `after`/`before`, and `paging.next` while more remain. */
interface PageWindow {
  start: number;
  end: number;
  paging: (path: string) => {
    cursors: { before: string; after: string };
    next?: string;
  };
}

function paginate(
  req: SandboxRequest,
  total: number,
  maxPageSize: number,
): PageWindow | { error: Reply } {
  const limitParam = req.query.get('limit');
  const limit = limitParam === null ? 25 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1)
    return {
      error: GraphErrors.invalidParameter(
        'Param limit must be a positive integer',
      ),
    };
  const after = req.query.get('after');
  let start = 0;
  if (after) {
    const match = /^sandbox:(\d+)$/.exec(
      Buffer.from(after, 'base64url').toString('utf8'),
    );
    if (!match)
      return {
        error: GraphErrors.invalidParameter(
          'Param after is not a valid cursor',
        ),
      };
    start = Number(match[1]) + 1;
  }
  const end = Math.min(total, start + Math.min(limit, maxPageSize));
  return {
    start,
    end,
    paging: (path: string) => {
      const paging: {
        cursors: { before: string; after: string };
        next?: string;
      } = { cursors: { before: cursor(start), after: cursor(end - 1) } };
      if (end < total) {
        const next = new URLSearchParams(req.query);
        next.delete('appsecret_proof');
        next.set('after', cursor(end - 1));
        paging.next = `http://${req.headers.host ?? 'localhost'}${path}?${next.toString()}`;
      }
      return paging;
    },
  };
}

function exchangeToken(
  req: SandboxRequest,
  world: SandboxWorld,
  config: SandboxContext['config'],
): Reply {
  const q = req.query;
  const clientId = q.get('client_id');
  const clientSecret = q.get('client_secret');
  if (!clientId) return GraphErrors.missingParameter('client_id');
  if (clientId !== config.appId) return GraphErrors.invalidAppId();
  if (!clientSecret) return GraphErrors.missingParameter('client_secret');
  if (clientSecret !== config.appSecret)
    return GraphErrors.invalidClientSecret();

  if (q.get('grant_type') === 'fb_exchange_token') {
    const shortLived = q.get('fb_exchange_token');
    if (!shortLived) return GraphErrors.missingParameter('fb_exchange_token');
    const token = world.tokens.get(shortLived);
    if (!token || token.type !== 'USER') return GraphErrors.malformedToken();
    if (token.invalidated) return GraphErrors.sessionInvalidated();
    if (token.expiresAt !== undefined && token.expiresAt <= world.now()) {
      return GraphErrors.tokenExpired(
        new Date(token.expiresAt),
        new Date(world.now()),
      );
    }
    const longLived = world.issueUserToken({
      appId: token.appId,
      userId: token.userId,
      pageIds: token.pageIds,
      scopes: token.scopes,
      longLived: true,
    });
    const body: AccessTokenResponse = {
      access_token: longLived.value,
      token_type: 'bearer',
      expires_in: SandboxWorld.LONG_LIVED_TOKEN_SECONDS,
    };
    return { status: 200, json: body };
  }

  const code = q.get('code');
  const redirectUri = q.get('redirect_uri');
  if (!code) return GraphErrors.missingParameter('code');
  if (!redirectUri) return GraphErrors.missingParameter('redirect_uri');
  const issued = world.codes.get(code);
  if (!issued || issued.clientId !== clientId) return GraphErrors.codeInvalid();
  if (issued.used) return GraphErrors.codeUsed();
  if (issued.expiresAt <= world.now()) return GraphErrors.codeExpired();
  if (issued.redirectUri !== redirectUri)
    return GraphErrors.codeRedirectMismatch();
  issued.used = true;
  const token = world.issueUserToken({
    appId: clientId,
    userId: issued.userId,
    pageIds: issued.pageIds,
    scopes: issued.scopes,
    longLived: false,
  });
  const body: AccessTokenResponse = {
    access_token: token.value,
    token_type: 'bearer',
    expires_in: SandboxWorld.SHORT_LIVED_TOKEN_SECONDS,
  };
  return { status: 200, json: body };
}
