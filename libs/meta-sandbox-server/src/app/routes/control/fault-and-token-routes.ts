import type { Router } from '../../http/router';
import type { SandboxContext } from '../../sandbox-context';
import type { Fault, FaultKind, TokenSelector } from '../../world-model';
import {
  CONTROL_API_BASE,
  badRequest,
  isReply,
  notFound,
  optionalNumber,
} from './control-replies';

const FAULT_KINDS: FaultKind[] = [
  'token_expired',
  'token_invalidated',
  'rate_limit',
  'app_rate_limit',
  'server_error',
  'gateway_error',
  'permission',
  'slow',
];

/** Faults injected into the next Graph calls, token expiry and minting, and the clock. */
export function registerFaultAndTokenRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const { world } = ctx;
  const base = CONTROL_API_BASE;

  router.add('GET', `${base}/faults`, () => ({
    status: 200,
    json: { data: world.faults },
  }));
  router.add('DELETE', `${base}/faults`, () => {
    world.faults = [];
    return { status: 200, json: { data: [] } };
  });
  router.add('POST', `${base}/faults`, (req) => {
    const kind = req.body['kind'];
    if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind))
      return badRequest(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    const times = optionalNumber(req.body, 'times', 1, 1000);
    const delayMs = optionalNumber(req.body, 'delayMs', 0, 120_000);
    const retryAfterMinutes = optionalNumber(
      req.body,
      'retryAfterMinutes',
      0,
      1440,
    );
    const status = optionalNumber(
      req.body,
      'status',
      kind === 'gateway_error' ? 429 : 500,
      599,
    );
    for (const v of [times, delayMs, retryAfterMinutes, status])
      if (isReply(v)) return v;
    const path = req.body['path'];
    if (path !== undefined && typeof path !== 'string')
      return badRequest('path must be a string');
    const fault: Fault = {
      id: world.nextSequence(),
      kind: kind as FaultKind,
      remaining: (times as number | undefined) ?? 1,
      ...(typeof path === 'string' && path ? { pathIncludes: path } : {}),
      ...(delayMs !== undefined ? { delayMs: delayMs as number } : {}),
      ...(retryAfterMinutes !== undefined
        ? { retryAfterMinutes: retryAfterMinutes as number }
        : {}),
      ...(status !== undefined ? { status: status as number } : {}),
    };
    world.faults.push(fault);
    return { status: 201, json: fault };
  });

  router.add('POST', `${base}/tokens/expire`, (req) => {
    const { pageId, reason } = req.body;
    if (
      pageId !== undefined &&
      (typeof pageId !== 'string' || !world.pages.has(pageId))
    )
      return badRequest('pageId must be the id of a sandbox Page');
    if (
      reason !== undefined &&
      reason !== 'expired' &&
      reason !== 'password_changed'
    )
      return badRequest('reason must be expired or password_changed');
    const count = world.expireTokens({
      pageId: pageId as string | undefined,
      reason:
        (reason as 'expired' | 'password_changed' | undefined) ?? 'expired',
    });
    return { status: 200, json: { affected: count } };
  });

  // Mints a user token without the dialog, for tests that start after "the person logged in".
  router.add('POST', `${base}/tokens`, (req) => {
    const scopes = req.body['scopes'] ?? [
      'instagram_basic',
      'instagram_manage_messages',
      'pages_show_list',
      'pages_manage_metadata',
      'pages_messaging',
    ];
    const pageIds = req.body['pageIds'] ?? [world.pagesWithInstagram()[0]?.id];
    const longLived = req.body['longLived'] ?? true;
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))
      return badRequest('scopes must be an array of strings');
    if (
      !Array.isArray(pageIds) ||
      !pageIds.every((p) => typeof p === 'string' && world.pages.has(p))
    )
      return badRequest('pageIds must be ids of sandbox Pages');
    if (typeof longLived !== 'boolean')
      return badRequest('longLived must be a boolean');
    const token = world.issueUserToken({
      appId: ctx.config.appId,
      userId: world.facebookUser.id,
      pageIds,
      scopes,
      longLived,
    });
    return {
      status: 201,
      json: {
        access_token: token.value,
        expires_at: token.expiresAt,
        scopes,
        pageIds,
      },
    };
  });

  // Instagram Login's lifetimes: age a token into the refresh window or past expiry, or revoke it
  // (the person removed the app), by its value or by the account it belongs to.
  const tokenSelector = (
    body: Record<string, unknown>,
  ): TokenSelector | undefined =>
    typeof body['accessToken'] === 'string' && body['accessToken'] !== ''
      ? { accessToken: body['accessToken'] }
      : typeof body['instagramAccountId'] === 'string' &&
          world.instagramAccounts.has(body['instagramAccountId'])
        ? { instagramAccountId: body['instagramAccountId'] }
        : undefined;
  router.add('POST', `${base}/tokens/age`, (req) => {
    const selector = tokenSelector(req.body);
    if (!selector)
      return badRequest(
        'accessToken or instagramAccountId (a sandbox professional account) is required',
      );
    const byMs = optionalNumber(req.body, 'byMs', 1, 365 * 86_400_000);
    if (isReply(byMs)) return byMs;
    if (byMs === undefined) return badRequest('byMs is required');
    const affected = world.ageTokens(selector, byMs);
    if (affected === 0) return notFound('No token matches');
    return { status: 200, json: { affected } };
  });
  router.add('POST', `${base}/tokens/revoke`, (req) => {
    const selector = tokenSelector(req.body);
    if (!selector)
      return badRequest(
        'accessToken or instagramAccountId (a sandbox professional account) is required',
      );
    const affected = world.revokeTokens(selector);
    if (affected === 0) return notFound('No token matches');
    return { status: 200, json: { affected } };
  });

  router.add('PUT', `${base}/instagram-login/token-shape`, (req) => {
    const shape = req.body['shape'];
    if (shape !== 'flat' && shape !== 'data')
      return badRequest('shape must be flat or data');
    world.instagramTokenShape = shape;
    return { status: 200, json: { shape } };
  });

  router.add('POST', `${base}/clock`, (req) => {
    const advance = optionalNumber(req.body, 'advanceMs', 0, 365 * 86_400_000);
    if (isReply(advance)) return advance;
    if (advance === undefined) return badRequest('advanceMs is required');
    world.advanceClock(advance);
    return { status: 200, json: { now: world.now() } };
  });
}
