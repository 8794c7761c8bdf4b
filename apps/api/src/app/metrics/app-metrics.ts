import type { InboxBacklogDto } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import { InboxBacklog } from './inbox-backlog';

/** Prefix of every metric of ours (the process's default metrics keep prom-client's names). */
const PREFIX = 'instantchat_';

/** Webhook intake is one signed insert: its buckets sit between a millisecond and Meta's patience. */
const INTAKE_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Every Prometheus metric of the API, on a registry of its own (one per app, so several apps in
 * one test process do not collide). Features record through the methods below; gauges that are
 * a count of something elsewhere read it when scraped rather than being kept in step by hand.
 */
@Injectable()
export class AppMetrics {
  readonly registry = new Registry();
  private socketCount: () => number = () => 0;

  private readonly webhookRequests = new Counter({
    name: `${PREFIX}webhook_requests_total`,
    help: 'Webhook deliveries Meta POSTed, by HTTP status answered',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  private readonly webhookIntake = new Histogram({
    name: `${PREFIX}webhook_intake_duration_seconds`,
    help: 'Time from a webhook POST arriving to its answer (signature check and durable insert)',
    labelNames: ['status'] as const,
    buckets: INTAKE_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  private readonly instagramSends = new Counter({
    name: `${PREFIX}instagram_sends_total`,
    help: 'Send API calls for replies, by outcome (sent, or the kind of Meta error) and Meta error code',
    labelNames: ['outcome', 'code'] as const,
    registers: [this.registry],
  });

  constructor(backlog: InboxBacklog) {
    collectDefaultMetrics({ register: this.registry });
    const backlogGauge = (
      name: string,
      help: string,
      valueOf: (backlog: InboxBacklogDto) => number,
    ) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        registers: [this.registry],
        // Unknown (the database unreachable): the gauge keeps its last value.
        async collect() {
          const current = await backlog.read();
          if (current) this.set(valueOf(current));
        },
      });
    backlogGauge(
      'webhook_inbox_pending',
      'Webhook deliveries stored and not yet finished (pending)',
      (current) => current.pending,
    );
    backlogGauge(
      'webhook_inbox_oldest_pending_age_seconds',
      'Age of the oldest pending webhook delivery (0 when none is pending)',
      (current) => current.oldestPendingAgeSeconds ?? 0,
    );
    const sockets = () => this.socketCount();
    new Gauge({
      name: `${PREFIX}socket_connections`,
      help: 'Authenticated Socket.io connections open on this instance',
      registers: [this.registry],
      collect() {
        this.set(sockets());
      },
    });
  }

  /**
   * Counts and times each POST to the webhook route (`path`), from its arrival (before its body is
   * read) until it is answered.
   */
  timeWebhookIntake(fastify: FastifyInstance, path: string): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      if (request.method === 'POST' && request.routeOptions.url === path) {
        const status = String(reply.statusCode);
        this.webhookIntake.observe({ status }, reply.elapsedTime / 1000);
        this.webhookRequests.inc({ status });
      }
      done();
    });
  }

  /** One Send API call's outcome: `sent`, or the kind of error with Meta's code (`none` without). */
  recordSend(outcome: string, code?: number): void {
    this.instagramSends.inc({
      outcome,
      code: code === undefined ? 'none' : String(code),
    });
  }

  /** Where the socket gauge reads its count (the realtime gateway, once its server exists). */
  countSocketsWith(count: () => number): void {
    this.socketCount = count;
  }

  /** The exposition text, as Prometheus scrapes it. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
