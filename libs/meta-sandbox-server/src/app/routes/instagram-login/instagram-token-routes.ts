import { GraphErrors } from '../../graph-errors';
import type { Reply, Router, SandboxRequest } from '../../http/router';
import { INSTAGRAM_HOSTS } from '../../instagram-hosts';
import type { SandboxContext } from '../../sandbox-context';
import { SandboxWorld } from '../../world';
import { withFault } from '../graph-handler';
import {
  asInstagramGraphError,
  authenticateInstagramToken,
} from './instagram-graph-handler';

/** Instagram's refresh rule: a long-lived token at least this old, and not yet expired. */
const REFRESHABLE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * api.instagram.com answers its own error shape, not the Graph API's:
 * `{"error_type": "OAuthException", "code": 400, "error_message": "…"}`.
 */
function instagramOAuthError(message: string): Reply {
  return {
    status: 400,
    json: { error_type: 'OAuthException', code: 400, error_message: message },
  };
}

/**
 * Instagram Login's tokens: the code exchange on api.instagram.com (a form POST, answered in
 * either reported shape), the long-lived exchange and the refresh on graph.instagram.com
 * (documented without a version; served with one too).
 */
export function registerInstagramTokenRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  router.add('POST', `${INSTAGRAM_HOSTS.api}/oauth/access_token`, (req) =>
    withFault(ctx, req, undefined, () => exchangeCode(req, ctx)),
  );
  const graphHosts = [
    INSTAGRAM_HOSTS.graph,
    `${INSTAGRAM_HOSTS.graph}/${ctx.config.graphVersion}`,
  ];
  for (const host of graphHosts) {
    router.add('GET', `${host}/access_token`, async (req) =>
      asInstagramGraphError(
        await withFault(ctx, req, undefined, () =>
          exchangeForLongLived(req, ctx),
        ),
      ),
    );
    router.add('GET', `${host}/refresh_access_token`, async (req) =>
      asInstagramGraphError(
        await withFault(ctx, req, undefined, () => refresh(req, ctx)),
      ),
    );
  }
}

function exchangeCode(req: SandboxRequest, ctx: SandboxContext): Reply {
  const { world, config } = ctx;
  const field = (name: string) => {
    const value = req.body[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  for (const name of [
    'client_id',
    'client_secret',
    'grant_type',
    'redirect_uri',
    'code',
  ]) {
    if (!field(name))
      return instagramOAuthError(`Missing required field ${name}`);
  }
  if (field('client_id') !== config.instagramAppId)
    return instagramOAuthError('Invalid platform app');
  if (field('client_secret') !== config.instagramAppSecret)
    return instagramOAuthError('Error validating client secret.');
  if (field('grant_type') !== 'authorization_code')
    return instagramOAuthError('Unsupported grant_type');
  // Instagram hands the code with `#_` appended to the redirect; clients must strip it.
  const issued = world.codes.get(field('code') as string);
  if (
    !issued ||
    issued.used ||
    issued.clientId !== config.instagramAppId ||
    issued.instagramAccountId === undefined
  )
    return instagramOAuthError(
      'Matching code was not found or was already used',
    );
  if (issued.expiresAt <= world.now())
    return instagramOAuthError('This authorization code has expired');
  if (issued.redirectUri !== field('redirect_uri'))
    return instagramOAuthError(
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
    );
  issued.used = true;
  const token = world.issueInstagramToken({
    appId: config.instagramAppId,
    instagramAccountId: issued.instagramAccountId,
    scopes: issued.scopes,
    longLived: false,
  });
  const grant = {
    access_token: token.value,
    user_id: issued.instagramAccountId,
  };
  return {
    status: 200,
    json:
      world.instagramTokenShape === 'data'
        ? { data: [{ ...grant, permissions: issued.scopes.join(',') }] }
        : { ...grant, permissions: issued.scopes },
  };
}

function exchangeForLongLived(req: SandboxRequest, ctx: SandboxContext): Reply {
  const { world, config } = ctx;
  if (req.query.get('grant_type') !== 'ig_exchange_token')
    return GraphErrors.invalidParameter(
      'Param grant_type must be ig_exchange_token',
    );
  const secret = req.query.get('client_secret');
  if (!secret) return GraphErrors.missingParameter('client_secret');
  if (secret !== config.instagramAppSecret)
    return GraphErrors.invalidClientSecret();
  const auth = authenticateInstagramToken(req, ctx);
  if ('error' in auth) return auth.error;
  const longLived = world.issueInstagramToken({
    appId: config.instagramAppId,
    instagramAccountId: auth.token.instagramAccountId as string,
    scopes: auth.token.scopes,
    longLived: true,
  });
  return {
    status: 200,
    json: {
      access_token: longLived.value,
      token_type: 'bearer',
      expires_in: SandboxWorld.LONG_LIVED_TOKEN_SECONDS,
    },
  };
}

function refresh(req: SandboxRequest, ctx: SandboxContext): Reply {
  const { world, config } = ctx;
  if (req.query.get('grant_type') !== 'ig_refresh_token')
    return GraphErrors.invalidParameter(
      'Param grant_type must be ig_refresh_token',
    );
  const auth = authenticateInstagramToken(req, ctx);
  if ('error' in auth) return auth.error;
  const { token } = auth;
  if (!token.longLived)
    return GraphErrors.invalidParameter(
      'Only a long-lived access token can be refreshed',
    );
  if (world.now() - token.issuedAt < REFRESHABLE_AFTER_MS)
    return GraphErrors.invalidParameter(
      'The access token can be refreshed only once it is at least 24 hours old',
    );
  const refreshed = world.issueInstagramToken({
    appId: config.instagramAppId,
    instagramAccountId: token.instagramAccountId as string,
    scopes: token.scopes,
    longLived: true,
  });
  return {
    status: 200,
    json: {
      access_token: refreshed.value,
      token_type: 'bearer',
      expires_in: SandboxWorld.LONG_LIVED_TOKEN_SECONDS,
    },
  };
}
