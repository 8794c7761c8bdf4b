import type { Reply, Router, SandboxRequest } from '../http/router';
import { deliverEvents, type SandboxContext } from '../sandbox-context';
import {
  buildSandboxEvent,
  EventInputError,
  parseEventInput,
  type BuiltEvent,
} from '../webhooks/sandbox-events';
import type { WebhookDelivery } from '../webhooks/webhook-sender';
import type { Fault, FaultKind } from '../world';

/**
 * The sandbox's own API for tests and for the "DM as an Instagram user" page: create people,
 * make them act, read what the Send API received, inject faults, move the clock, reset.
 * It is not part of Meta's surface; errors use InstantChat's `{statusCode, error, message}`.
 */

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

function badRequest(message: string): Reply {
  return {
    status: 400,
    json: { statusCode: 400, error: 'Bad Request', message },
  };
}

function notFound(message: string): Reply {
  return {
    status: 404,
    json: { statusCode: 404, error: 'Not Found', message },
  };
}

function optionalNumber(
  body: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined | Reply {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max
  ) {
    return badRequest(`${name} must be a number between ${min} and ${max}`);
  }
  return value;
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value;
}

export function summarizeDelivery(d: WebhookDelivery) {
  return {
    id: d.id,
    state: d.state,
    reason: d.reason,
    callbackUrl: d.callbackUrl,
    createdAt: d.createdAt,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    payload: d.payload,
  };
}

export function registerControlRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const { world } = ctx;
  const base = '/_sandbox';

  router.add('GET', `${base}/state`, () => ({
    status: 200,
    json: {
      app: {
        id: ctx.config.appId,
        name: ctx.config.appName,
        graphVersion: ctx.config.graphVersion,
        redirectUris: ctx.config.redirectUris,
      },
      now: world.now(),
      facebookUser: world.facebookUser,
      pages: [...world.pages.values()].map((p) => ({
        ...p,
        subscribedFields: world.subscriptions.get(p.id) ?? null,
      })),
      instagramAccounts: [...world.instagramAccounts.values()],
      instagramUsers: [...world.instagramUsers.values()],
      webhookCallbackUrl: ctx.sender.callbackUrl ?? null,
      faults: world.faults,
    },
  }));

  router.add('POST', `${base}/reset`, () => {
    world.reset();
    ctx.sender.clear();
    return { status: 200, json: { reset: true } };
  });

  router.add('GET', `${base}/instagram-users`, () => ({
    status: 200,
    json: { data: [...world.instagramUsers.values()] },
  }));

  router.add('POST', `${base}/instagram-users`, (req) => {
    const { username, name, id, available } = req.body;
    if (typeof username !== 'string' || !/^[a-z0-9._]{1,30}$/i.test(username)) {
      return badRequest(
        'username is required: 1–30 letters, digits, dots or underscores',
      );
    }
    if (name !== undefined && (typeof name !== 'string' || name.length > 100))
      return badRequest('name must be a string of at most 100 characters');
    if (id !== undefined && (typeof id !== 'string' || !/^\d{6,20}$/.test(id)))
      return badRequest('id must be a string of 6–20 digits');
    if (available !== undefined && typeof available !== 'boolean')
      return badRequest('available must be a boolean');
    if (typeof id === 'string' && world.instagramUsers.has(id))
      return {
        status: 409,
        json: {
          statusCode: 409,
          error: 'Conflict',
          message: `Instagram user ${id} already exists`,
        },
      };
    const user = world.addInstagramUser({
      username,
      name: name as string | undefined,
      id: id as string | undefined,
      available: available as boolean | undefined,
    });
    return { status: 201, json: user };
  });

  router.add('PATCH', `${base}/instagram-users/:id`, (req) => {
    const user = world.instagramUsers.get(req.params['id']);
    if (!user) return notFound(`No Instagram user ${req.params['id']}`);
    const { available } = req.body;
    if (typeof available !== 'boolean')
      return badRequest('available must be a boolean');
    user.available = available;
    return { status: 200, json: user };
  });

  router.add('POST', `${base}/events`, (req) => sendEvents(ctx, req));

  router.add('GET', `${base}/sent-messages`, (req) => {
    const recipient = req.query.get('recipient');
    const account = req.query.get('account');
    const recipientOf = (r: (typeof world.sendLog)[number]) => {
      const raw = r.body.recipient;
      // Form-encoded sends carry the recipient as a JSON string.
      const value =
        typeof raw === 'string'
          ? (() => {
              try {
                return JSON.parse(raw) as unknown;
              } catch {
                return undefined;
              }
            })()
          : raw;
      return (value as { id?: unknown } | undefined)?.id;
    };
    const data = world.sendLog.filter(
      (r) =>
        (!recipient || recipientOf(r) === recipient) &&
        (!account || r.instagramAccountId === account),
    );
    return { status: 200, json: { data } };
  });

  router.add('GET', `${base}/conversations/:account/:user`, (req) => {
    const { account, user } = req.params;
    if (!world.instagramAccounts.has(account))
      return notFound(`No Instagram professional account ${account}`);
    if (!world.instagramUsers.has(user))
      return notFound(`No Instagram user ${user}`);
    const messages = [...world.messages.values()]
      .filter(
        (m) => m.instagramAccountId === account && m.instagramUserId === user,
      )
      .sort((a, b) => a.timestamp - b.timestamp);
    return {
      status: 200,
      json: {
        data: messages,
        lastInboundAt:
          world.lastInboundAt.get(world.conversationKey(account, user)) ?? null,
      },
    };
  });

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

  router.add('POST', `${base}/clock`, (req) => {
    const advance = optionalNumber(req.body, 'advanceMs', 0, 365 * 86_400_000);
    if (isReply(advance)) return advance;
    if (advance === undefined) return badRequest('advanceMs is required');
    world.advanceClock(advance);
    return { status: 200, json: { now: world.now() } };
  });

  router.add('GET', `${base}/webhooks/deliveries`, () => ({
    status: 200,
    json: { data: ctx.sender.deliveries.map(summarizeDelivery) },
  }));

  router.add('PUT', `${base}/webhooks/callback`, (req) => {
    const url = req.body['url'];
    if (url !== null && (typeof url !== 'string' || !/^https?:\/\//.test(url)))
      return badRequest('url must be an http(s) URL or null');
    ctx.sender.callbackUrl = (url as string | null) ?? undefined;
    return {
      status: 200,
      json: { callbackUrl: ctx.sender.callbackUrl ?? null },
    };
  });

  // What the App Dashboard does when a callback URL is saved: Meta's verification request.
  router.add('POST', `${base}/webhooks/verify`, async () => {
    const callback = ctx.sender.callbackUrl;
    if (!callback) return badRequest('No webhook callback URL is configured');
    const challenge = String(Math.floor(Math.random() * 1e9));
    const url = new URL(callback);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.challenge', challenge);
    url.searchParams.set('hub.verify_token', ctx.config.webhookVerifyToken);
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      const verified = response.status === 200 && text === challenge;
      return { status: 200, json: { verified, status: response.status } };
    } catch (err) {
      return {
        status: 200,
        json: {
          verified: false,
          error: err instanceof Error ? err.message : String(err),
        },
      };
    }
  });
}

function sendEvents(ctx: SandboxContext, req: SandboxRequest): Reply {
  const body = req.body;
  const batch = body['batch'] === true;
  const rawEvents = Array.isArray(body['events'])
    ? (body['events'] as unknown[])
    : [body];
  if (rawEvents.length === 0) return badRequest('events must not be empty');
  if (rawEvents.length > 100)
    return badRequest('At most 100 events per request');
  let inputs;
  try {
    inputs = rawEvents.map(parseEventInput);
  } catch (err) {
    if (err instanceof EventInputError) return badRequest(err.message);
    throw err;
  }
  const built: BuiltEvent[] = [];
  let failure: string | undefined;
  for (const [index, input] of inputs.entries()) {
    try {
      built.push(buildSandboxEvent(ctx.world, input));
    } catch (err) {
      if (!(err instanceof EventInputError)) throw err;
      failure =
        inputs.length > 1 ? `events[${index}]: ${err.message}` : err.message;
      break;
    }
  }
  // Events before a bad one already happened (like a person who sent two of three messages),
  // so they are delivered rather than silently lost.
  const deliveries = batch
    ? built.length > 0
      ? deliverEvents(ctx, built)
      : []
    : built.flatMap((b) => deliverEvents(ctx, [b]));
  if (failure)
    return {
      status: 400,
      json: {
        statusCode: 400,
        error: 'Bad Request',
        message: failure,
        delivered: built.length,
      },
    };
  return {
    status: 202,
    json: {
      events: built.map((b) => ({
        mid: b.mid,
        instagramAccountId: b.instagramAccountId,
        event: b.event,
      })),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        state: d.state,
        reason: d.reason,
      })),
    },
  };
}
