import { Injectable, computed, inject, signal } from '@angular/core';
import type { WebhookEventDto } from '@instantchat/contracts';
import type { Subscription } from 'rxjs';
import { apiErrorMessage } from '../../../core/api-error';
import type { LoadStatus } from '../../../core/load-status';
import {
  type WebhookEventFilters,
  WebhookEventsApi,
} from '../data/webhook-events.api';
import { InstagramConnectionStore } from './instagram-connection.store';
import { toWebhookEventRow } from './webhook-event-summary';

/**
 * The events page's state: the owner's webhook deliveries under the chosen filters, newest first,
 * paged back with the API's cursor. A refresh fetches the newest page again and merges it over
 * what is shown, so older pages already loaded stay. Provided by the page, so leaving it forgets
 * everything.
 */
@Injectable()
export class WebhookEventsStore {
  private readonly api = inject(WebhookEventsApi);
  private readonly connections = inject(InstagramConnectionStore);

  private readonly events = signal<WebhookEventDto[]>([]);
  private readonly cursor = signal<string | null>(null);
  private request: Subscription | null = null;
  /** A refresh asked for while a page was on its way: that answer may predate what prompted it. */
  private refreshQueued = false;

  readonly filters = signal<WebhookEventFilters>({});
  readonly loadStatus = signal<LoadStatus>('loading');
  readonly loadError = signal<string | null>(null);
  /** A refresh or an older page is on its way while rows are shown. */
  readonly busy = signal(false);
  readonly moreError = signal<string | null>(null);
  readonly retrying = signal<ReadonlySet<string>>(new Set());
  readonly hasMore = computed(() => this.cursor() !== null);
  readonly rows = computed(() => {
    const accounts = this.connections.status()?.accounts ?? [];
    return this.events().map((event) => toWebhookEventRow(event, accounts));
  });
  readonly filtered = computed(() => {
    const { status, accountId } = this.filters();
    return Boolean(status || accountId);
  });

  /** Starts over with new filters. */
  setFilters(filters: WebhookEventFilters): void {
    this.filters.set(filters);
    this.load();
  }

  /** The newest page under the current filters, replacing what is shown. */
  load(): void {
    this.request?.unsubscribe();
    // A refresh or an older page cut short by this load never answers.
    this.busy.set(false);
    this.loadStatus.set('loading');
    this.loadError.set(null);
    this.moreError.set(null);
    this.request = this.api.list(this.filters()).subscribe({
      next: (page) => {
        this.events.set(page.items);
        this.cursor.set(page.nextCursor);
        this.loadStatus.set('ready');
        this.refreshIfQueued();
      },
      error: (error: unknown) => {
        this.refreshQueued = false;
        this.loadStatus.set('error');
        this.loadError.set(
          apiErrorMessage(error, 'Could not load the webhook events.'),
        );
      },
    });
  }

  /**
   * The newest page again, merged over the rows shown (new ones on top, changed ones updated).
   * Asked while a page is on its way, it follows that page.
   */
  refresh(): void {
    if (this.loadStatus() === 'error') {
      this.load();
      return;
    }
    if (this.loadStatus() !== 'ready' || this.busy()) {
      this.refreshQueued = true;
      return;
    }
    this.busy.set(true);
    this.request = this.api.list(this.filters()).subscribe({
      next: (page) => {
        this.busy.set(false);
        const fresh = new Map(page.items.map((event) => [event.id, event]));
        const older = this.events().filter((event) => !fresh.has(event.id));
        const oldest = page.items.at(-1)?.receivedAt;
        // Shown rows newer than the fresh page's oldest no longer match the filters.
        const kept = oldest
          ? older.filter((event) => event.receivedAt < oldest)
          : [];
        this.events.set([...page.items, ...(page.nextCursor ? kept : [])]);
        if (!page.nextCursor || kept.length === 0) {
          this.cursor.set(page.nextCursor);
        }
        this.refreshIfQueued();
      },
      error: () => {
        this.busy.set(false);
        this.refreshIfQueued();
      },
    });
  }

  private refreshIfQueued(): void {
    if (this.refreshQueued) {
      this.refreshQueued = false;
      this.refresh();
    }
  }

  /**
   * A delivery announced live (`instagram:event`, the owner's view, unfiltered): updated where it
   * is shown, else added in its place by time unless it belongs to an older page not loaded yet.
   */
  applyLive(event: WebhookEventDto): void {
    if (this.loadStatus() !== 'ready') return;
    const events = this.events();
    if (events.some((shown) => shown.id === event.id)) {
      this.events.set(
        events.map((shown) => (shown.id === event.id ? event : shown)),
      );
      return;
    }
    const oldest = events.at(-1);
    if (this.hasMore() && oldest && event.receivedAt < oldest.receivedAt) {
      return;
    }
    this.events.set(
      [...events, event].sort((a, b) =>
        b.receivedAt.localeCompare(a.receivedAt),
      ),
    );
  }

  loadMore(): void {
    const before = this.cursor();
    if (!before || this.busy()) return;
    this.busy.set(true);
    this.moreError.set(null);
    this.request = this.api.list(this.filters(), before).subscribe({
      next: (page) => {
        this.busy.set(false);
        const shown = new Set(this.events().map((event) => event.id));
        this.events.update((events) => [
          ...events,
          ...page.items.filter((event) => !shown.has(event.id)),
        ]);
        this.cursor.set(page.nextCursor);
        this.refreshIfQueued();
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.moreError.set(
          apiErrorMessage(error, 'Could not load older events.'),
        );
        this.refreshIfQueued();
      },
    });
  }

  /** Processes a failed or ignored delivery again; the row shows what the server then says. */
  retry(id: string): void {
    if (this.retrying().has(id)) return;
    this.retrying.update((ids) => new Set(ids).add(id));
    const done = () =>
      this.retrying.update((ids) => {
        const next = new Set(ids);
        next.delete(id);
        return next;
      });
    this.api.retry(id).subscribe({
      next: (event) => {
        done();
        this.events.update((events) =>
          events.map((shown) => (shown.id === event.id ? event : shown)),
        );
        this.connections.showToast(
          'success',
          event.status === 'processed'
            ? 'Processed on retry.'
            : event.status === 'pending'
              ? 'Being processed again; the list shows the outcome as soon as it is known.'
              : `Retried: still ${event.status}.`,
        );
      },
      error: (error: unknown) => {
        done();
        this.connections.showToast(
          'error',
          apiErrorMessage(error, 'Could not retry this event.'),
        );
      },
    });
  }
}
