import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InboxBacklog } from '../metrics/inbox-backlog';
import { WebhookInbox } from './webhook-inbox.service';

/** Plugs the inbox's backlog query into the health check and the metrics, which sit below. */
@Injectable()
export class InboxBacklogReporter implements OnModuleInit {
  constructor(
    private readonly inbox: WebhookInbox,
    private readonly backlog: InboxBacklog,
  ) {}

  onModuleInit(): void {
    this.backlog.useSource((now) => this.inbox.backlog(now));
  }
}
