import type { Reply, Router, SandboxRequest } from '../../http/router';
import { deliverEvents, type SandboxContext } from '../../sandbox-context';
import {
  EventInputError,
  parseEventInput,
} from '../../webhooks/sandbox-event-input';
import {
  buildSandboxEvent,
  type BuiltEvent,
} from '../../webhooks/sandbox-events';
import {
  DELIVERY_FORMS,
  type DeliveryForm,
} from '../../webhooks/webhook-payloads';
import { CONTROL_API_BASE, badRequest, notFound } from './control-replies';

/** People who DM the business, what they do (events), and what the business answered. */
export function registerPeopleAndEventRoutes(
  router: Router,
  ctx: SandboxContext,
): void {
  const { world } = ctx;
  const base = CONTROL_API_BASE;

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
}

function sendEvents(ctx: SandboxContext, req: SandboxRequest): Reply {
  const body = req.body;
  const batch = body['batch'] === true;
  const form = body['delivery'] ?? 'messaging';
  if (!(DELIVERY_FORMS as readonly unknown[]).includes(form))
    return badRequest(`delivery must be one of ${DELIVERY_FORMS.join(', ')}`);
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
      ? deliverEvents(ctx, built, form as DeliveryForm)
      : []
    : built.flatMap((b) => deliverEvents(ctx, [b], form as DeliveryForm));
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
