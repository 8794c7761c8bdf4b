import {
  appSecretProof,
  extractAccessToken,
  safeEqualHex,
} from '../../graph-auth';
import { GraphErrors } from '../../graph-errors';
import type { Reply, SandboxRequest } from '../../http/router';
import type { SandboxContext } from '../../sandbox-context';
import type { IssuedToken } from '../../world-model';
import { withFault } from '../graph-handler';

/**
 * graph.instagram.com types its errors `IGApiException` where graph.facebook.com says
 * `OAuthException` or `GraphMethodException`; codes and subcodes are the same.
 */
export function asInstagramGraphError(reply: Reply): Reply {
  const body = reply.json as { error?: Record<string, unknown> } | undefined;
  if (!body?.error || typeof body.error !== 'object') return reply;
  const headers = { ...reply.headers };
  if (headers['www-authenticate'])
    headers['www-authenticate'] = headers['www-authenticate'].replace(
      /"(OAuthException|GraphMethodException)"/,
      '"IGApiException"',
    );
  return {
    ...reply,
    headers,
    json: { error: { ...body.error, type: 'IGApiException' } },
  };
}

/**
 * An Instagram Login token as graph.instagram.com checks it: an `IGAA…` token of the Instagram
 * app, not invalidated or revoked, not expired; `appsecret_proof`, when sent, signed with the
 * Instagram app's secret.
 */
export function authenticateInstagramToken(
  req: SandboxRequest,
  ctx: SandboxContext,
  value = extractAccessToken(req),
): { token: IssuedToken } | { error: Reply } {
  const { world, config } = ctx;
  if (!value) return { error: GraphErrors.missingToken() };
  const token = world.tokens.get(value);
  if (
    !token ||
    token.type !== 'INSTAGRAM' ||
    token.appId !== config.instagramAppId
  )
    return { error: GraphErrors.malformedToken() };
  if (token.invalidated)
    return {
      error:
        token.invalidatedBy === 'revoked'
          ? GraphErrors.appNotAuthorized()
          : GraphErrors.sessionInvalidated(),
    };
  if (token.expiresAt !== undefined && token.expiresAt <= world.now())
    return {
      error: GraphErrors.tokenExpired(
        new Date(token.expiresAt),
        new Date(world.now()),
      ),
    };
  const proof = req.query.get('appsecret_proof');
  if (
    proof &&
    !safeEqualHex(proof, appSecretProof(value, config.instagramAppSecret))
  )
    return { error: GraphErrors.appSecretProofInvalid() };
  return { token };
}

/** Wraps a graph.instagram.com route: token check, injected faults, `IGApiException` errors. */
export function instagramGraph(
  ctx: SandboxContext,
  handler: (req: SandboxRequest, token: IssuedToken) => Reply | Promise<Reply>,
) {
  return async (req: SandboxRequest): Promise<Reply> => {
    const auth = authenticateInstagramToken(req, ctx);
    if ('error' in auth) return asInstagramGraphError(auth.error);
    const reply = await withFault(ctx, req, auth.token, () =>
      handler(req, auth.token),
    );
    return asInstagramGraphError(reply);
  };
}

export function requireInstagramScope(
  token: IssuedToken,
  scope: string,
): Reply | undefined {
  return token.scopes.includes(scope)
    ? undefined
    : GraphErrors.permissionMissing(scope);
}
