import { createHmac, timingSafeEqual } from 'node:crypto';
import { GraphErrors } from './graph-errors';
import type { Reply, SandboxRequest } from './http/router';
import type { SandboxWorld } from './world';
import type { Fault, IssuedToken } from './world-model';

export interface GraphAuthConfig {
  appId: string;
  appSecret: string;
  requireAppSecretProof: boolean;
}

export type AppToken = { type: 'APP'; appId: string };

/** Meta accepts the token as `access_token` (query or body) or in an Authorization header. */
export function extractAccessToken(req: SandboxRequest): string | undefined {
  const fromQuery = req.query.get('access_token');
  if (fromQuery) return fromQuery;
  const fromBody = req.body['access_token'];
  if (typeof fromBody === 'string' && fromBody) return fromBody;
  const header = req.headers.authorization;
  if (header) {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim());
    if (match) return match[1];
  }
  return undefined;
}

export function appSecretProof(token: string, secret: string): string {
  return createHmac('sha256', secret).update(token).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Validates the caller's token the way the Graph API does, in Meta's order: present, parseable,
 * not invalidated, not expired, then `appsecret_proof` when the app requires it.
 */
export function authenticate(
  req: SandboxRequest,
  world: SandboxWorld,
  config: GraphAuthConfig,
): { token: IssuedToken | AppToken } | { error: Reply } {
  const value = extractAccessToken(req);
  if (!value) return { error: GraphErrors.missingToken() };
  if (value === `${config.appId}|${config.appSecret}`)
    return { token: { type: 'APP', appId: config.appId } };

  const token = world.tokens.get(value);
  // Instagram Login's tokens work on graph.instagram.com only.
  if (!token || token.type === 'INSTAGRAM')
    return { error: GraphErrors.malformedToken() };
  if (token.invalidated)
    return {
      error:
        token.invalidatedBy === 'revoked'
          ? GraphErrors.appNotAuthorized()
          : GraphErrors.sessionInvalidated(),
    };
  if (token.expiresAt !== undefined && token.expiresAt <= world.now()) {
    return {
      error: GraphErrors.tokenExpired(
        new Date(token.expiresAt),
        new Date(world.now()),
      ),
    };
  }

  const proof =
    req.query.get('appsecret_proof') ??
    (typeof req.body['appsecret_proof'] === 'string'
      ? (req.body['appsecret_proof'] as string)
      : undefined);
  if (proof === undefined || proof === '') {
    if (config.requireAppSecretProof)
      return { error: GraphErrors.appSecretProofMissing() };
  } else if (!safeEqualHex(proof, appSecretProof(value, config.appSecret))) {
    return { error: GraphErrors.appSecretProofInvalid() };
  }
  return { token };
}

export function faultReply(
  fault: Fault,
  businessId: string,
  token?: IssuedToken,
  now?: number,
): Reply | undefined {
  switch (fault.kind) {
    case 'token_expired': {
      const at = now ?? Date.now();
      return GraphErrors.tokenExpired(
        new Date(token?.expiresAt ?? at - 60_000),
        new Date(at),
      );
    }
    case 'token_invalidated':
      return GraphErrors.sessionInvalidated();
    case 'rate_limit':
      return GraphErrors.apiRateLimit(businessId, fault.retryAfterMinutes ?? 1);
    case 'app_rate_limit':
      return GraphErrors.appRateLimit(businessId, fault.retryAfterMinutes ?? 1);
    case 'server_error':
      return GraphErrors.transient(fault.status ?? 500);
    case 'gateway_error':
      // What a proxy or load balancer in front of the Graph API answers: no Graph error body.
      return {
        status: fault.status ?? 502,
        html: '<html><body><h1>Bad Gateway</h1></body></html>',
      };
    case 'permission':
      return GraphErrors.permissionMissing('instagram_manage_messages');
    case 'slow':
      return undefined;
  }
}
