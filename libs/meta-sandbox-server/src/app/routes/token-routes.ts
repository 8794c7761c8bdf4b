import type {
  AccessTokenResponse,
  DebugTokenResponse,
} from '@instantchat/meta-platform';
import { GraphErrors } from '../graph-errors';
import type { Reply, Router, SandboxRequest } from '../http/router';
import type { SandboxContext } from '../sandbox-context';
import { SandboxWorld } from '../world';
import { graph, withFault } from './graph-handler';

/** Facebook Login's token endpoints: code exchange, long-lived exchange and `debug_token`. */
export function registerTokenRoutes(router: Router, ctx: SandboxContext): void {
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
      // Instagram Login's tokens belong to graph.instagram.com, not to this host.
      if (
        !token ||
        token.type === 'INSTAGRAM' ||
        token.appId !== caller.appId
      ) {
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
