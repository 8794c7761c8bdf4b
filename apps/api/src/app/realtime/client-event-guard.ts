import { ClientEvent, type SocketAck } from '@instantchat/contracts';
import { HttpStatus, Logger } from '@nestjs/common';
import { FixedWindowRateLimiter } from '../core/fixed-window-rate-limiter';
import {
  MESSAGE_SENDS_PER_USER_BUDGET,
  type RateLimitStore,
  SharedRateLimiter,
} from '../core/rate-limit-store';
import { jsonShapeProblem } from '../core/json-bounds';
import type { RealtimeSocket } from './realtime.types';

/** How often each client event may arrive: per socket, and per user over all their sockets. */
export interface ClientEventRateLimit {
  windowMs: number;
  perSocket: number;
  perUser: number;
  /**
   * The store key of the per-user count when the event shares another door's budget (sends:
   * REST's); by default its own.
   */
  userBudget?: string;
}

export interface ClientEventLimits {
  /** Events by name; every event not named here (most have no handler) shares `other`. */
  events: Record<string, ClientEventRateLimit>;
  other: ClientEventRateLimit;
}

/**
 * `typing` fires on keystrokes (the dashboard sends it at most every couple of seconds); sends
 * follow MESSAGE_RATE_LIMIT, one per-user budget with `POST /api/conversations/:id/messages`;
 * `instagram:events:watch` comes when the events page opens or closes and after each reconnect,
 * with its own budget so that unknown events cannot use it up.
 */
export function clientEventLimits(
  messagesPerMinute: number,
): ClientEventLimits {
  return {
    events: {
      [ClientEvent.Typing]: { windowMs: 10_000, perSocket: 20, perUser: 40 },
      [ClientEvent.Send]: {
        windowMs: 60_000,
        perSocket: messagesPerMinute,
        perUser: messagesPerMinute,
        userBudget: MESSAGE_SENDS_PER_USER_BUDGET,
      },
      [ClientEvent.WatchInstagramEvents]: {
        windowMs: 10_000,
        perSocket: 20,
        perUser: 40,
      },
    },
    other: { windowMs: 10_000, perSocket: 20, perUser: 40 },
  };
}

/** A socket still sending after this many refusals in one window is flooding: it is cut off. */
const FLOOD_REFUSALS_PER_WINDOW = 1_000;

type Ack = (answer: SocketAck<never>) => void;
type Refusal = { statusCode: number; message: string };

/**
 * The first thing every client event meets, on every gateway and for events nobody handles: a
 * Socket.io middleware, so it runs before Nest's handlers, pipes and class-transformer see the
 * payload. It refuses payloads nested deeper than MAX_JSON_DEPTH or holding keys such as
 * `constructor` (their size is already bounded by Socket.io's maxHttpBufferSize) and events over
 * their rate limit. A refused event reaches no
 * handler; its ack, when it asked for one, carries a 400 or 429. Nothing of the payload is
 * echoed. Per-socket limits count here (a socket lives on one instance); per-user limits count in
 * the app's RateLimitStore, shared by every instance when Redis is configured. A socket's events
 * are checked one after another, so they reach the handlers in the order they were sent.
 */
export class ClientEventGuard {
  private readonly logger = new Logger(ClientEventGuard.name);
  private readonly limiters = new Map<
    string,
    { perSocket: FixedWindowRateLimiter; perUser: SharedRateLimiter }
  >();
  private readonly floodDetector: FixedWindowRateLimiter;

  constructor(
    private readonly limits: ClientEventLimits,
    store: RateLimitStore,
  ) {
    for (const [event, limit] of [
      ...Object.entries(limits.events),
      ['', limits.other] as const,
    ]) {
      this.limiters.set(event, {
        perSocket: new FixedWindowRateLimiter(limit.perSocket, limit.windowMs),
        perUser: new SharedRateLimiter(
          store,
          limit.userBudget ?? `socket:${event || '*'}:user`,
          limit.perUser,
          limit.windowMs,
        ),
      });
    }
    this.floodDetector = new FixedWindowRateLimiter(
      FLOOD_REFUSALS_PER_WINDOW,
      limits.other.windowMs,
    );
  }

  /** Call once per socket, as it connects (before it can send anything). */
  protect(socket: RealtimeSocket): void {
    // Events this socket sent that passed the checks made here and await their per-user count.
    let counted: Promise<void> = Promise.resolve();
    socket.use((packet, next) => {
      const args: unknown[] = [...packet];
      const ack =
        typeof args[args.length - 1] === 'function'
          ? (args.pop() as Ack)
          : undefined;
      const check = this.checkHere(socket, args);
      if ('refusal' in check) {
        this.refuse(socket, check.refusal, ack);
        return;
      }
      counted = counted.then(async () => {
        let refusal: Refusal | undefined;
        try {
          refusal = await check.countForUser();
        } catch (error) {
          this.logger.error(
            `Checking an event of socket ${socket.id} failed: ${(error as Error).message}`,
          );
          refusal = {
            statusCode: HttpStatus.SERVICE_UNAVAILABLE,
            message: 'The event could not be checked; try again shortly',
          };
        }
        if (refusal) this.refuse(socket, refusal, ack);
        else next();
      });
    });
    socket.once('disconnect', () => {
      for (const { perSocket } of this.limiters.values()) {
        perSocket.forget(socket.id);
      }
      this.floodDetector.forget(socket.id);
    });
  }

  /**
   * Refuses an event (its ack, when it asked for one, says why) without dispatching it. Not
   * next(error): Socket.io would turn that into an `error` event on the socket.
   */
  private refuse(socket: RealtimeSocket, refusal: Refusal, ack?: Ack): void {
    ack?.({ ok: false, error: refusal });
    if (!this.floodDetector.take(socket.id).allowed) {
      this.logger.warn(
        `Disconnected socket ${socket.id} (user ${socket.data.user?.id}): kept sending after ${FLOOD_REFUSALS_PER_WINDOW} refused events`,
      );
      socket.disconnect(true);
    }
  }

  /**
   * What can be decided in this process at once: the payload's shape and the socket's own limit,
   * so a flood is refused without waiting on anything. What passes is then counted against the
   * user's limit (`countForUser`), possibly in Redis.
   */
  private checkHere(
    socket: RealtimeSocket,
    [event, ...payload]: unknown[],
  ):
    | { refusal: Refusal }
    | { countForUser: () => Promise<Refusal | undefined> } {
    if (typeof event !== 'string') {
      return {
        refusal: {
          statusCode: HttpStatus.BAD_REQUEST,
          message: 'event must be a name',
        },
      };
    }
    // The event's arguments form one array: its own level does not count against the depth.
    const problem = payload
      .map((argument) => jsonShapeProblem(argument))
      .find(Boolean);
    if (problem) {
      return {
        refusal: {
          statusCode: HttpStatus.BAD_REQUEST,
          message: `payload ${problem}`,
        },
      };
    }
    const known = Object.prototype.hasOwnProperty.call(
      this.limits.events,
      event,
    );
    const limiters = this.limiters.get(known ? event : '');
    const limit = known ? this.limits.events[event] : this.limits.other;
    if (!limiters) return { countForUser: async () => undefined };
    const tooMany: Refusal = {
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      message: `Too many ${known ? `"${event}" events` : 'events'}: at most ${limit.perSocket} every ${limit.windowMs / 1000} s, try again shortly`,
    };
    // Per socket first: one runaway tab should not use up the budget of the user's other tabs.
    if (!limiters.perSocket.take(socket.id).allowed)
      return { refusal: tooMany };
    const userId = socket.data.user?.id ?? socket.id;
    return {
      countForUser: async () =>
        (await limiters.perUser.take(userId)).allowed ? undefined : tooMany,
    };
  }
}
