import {
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  DestroyRef,
  inject,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import {
  WEBHOOK_EVENT_STATUSES,
  type WebhookEventStatus,
} from '@instantchat/contracts';
import { debounceTime, filter, share } from 'rxjs';
import { RealtimeService } from '../../../../core/realtime/realtime.service';
import { AuthService } from '../../../../core/session/auth.service';
import { FullTimePipe } from '../../../../ui/relative-time/full-time.pipe';
import { Clock } from '../../../../ui/relative-time/clock';
import { RelativeTimePipe } from '../../../../ui/relative-time/relative-time.pipe';
import { ConnectionStatusIndicator } from '../../../../ui/connection-status/connection-status';
import { InstagramToasts } from '../../components/instagram-toasts/instagram-toasts';
import { InstagramConnectionStore } from '../../state/instagram-connection.store';
import { STATUS_LABELS } from '../../state/webhook-event-summary';
import { WebhookEventsStore } from '../../state/webhook-events.store';

/** Deliveries arrive in bursts (a batch of DMs): under a filter, refetch once per burst. */
const FILTERED_REFRESH_DEBOUNCE_MS = 500;

/**
 * `/instagram/events`: what Meta sent for the owner's accounts and what became of each delivery,
 * the page a support engineer opens when "my DM never arrived". Live on `instagram:event` (each
 * delivery the processor worked on, the owner's view of it; watched while the page is open);
 * refetched once the server takes the watch (on opening and after every reconnect),
 * when the tab regains focus and on the Refresh button.
 */
@Component({
  selector: 'ic-webhook-events-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    RelativeTimePipe,
    FullTimePipe,
    InstagramToasts,
    ConnectionStatusIndicator,
  ],
  providers: [WebhookEventsStore],
  templateUrl: './webhook-events.page.html',
  styleUrl: './webhook-events.page.css',
})
export class WebhookEventsPage {
  protected readonly events = inject(WebhookEventsStore);
  protected readonly connections = inject(InstagramConnectionStore);
  protected readonly clock = inject(Clock);
  protected readonly statuses = WEBHOOK_EVENT_STATUSES;
  protected readonly statusLabels = STATUS_LABELS;
  /** Whether deliveries arrive live (the server took the watch), shown as the inbox shows it. */
  protected readonly liveStatus = inject(RealtimeService).instagramEventsStatus;

  constructor() {
    this.connections.load();
    this.events.load();

    const realtime = inject(RealtimeService);
    const token = inject(AuthService).accessToken();
    if (token) realtime.connect(token);
    // Unfiltered, a pushed delivery is placed as it is; under a filter only the server can say
    // whether (and as what) it belongs, so a burst of them is one refetch. Only this page asks the
    // server for them, while it is open.
    const live$ = realtime.watchInstagramEvents().pipe(share());
    live$
      .pipe(
        filter(() => !this.events.filtered()),
        takeUntilDestroyed(),
      )
      .subscribe((event) => this.events.applyLive(event));
    live$
      .pipe(
        filter(() => this.events.filtered()),
        debounceTime(FILTERED_REFRESH_DEBOUNCE_MS),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.events.refresh());
    // What happened before the server took the watch (on opening, and while the socket was down
    // until it is taken again) was never pushed.
    realtime.instagramEventsWatched$
      .pipe(takeUntilDestroyed())
      .subscribe(() => this.events.refresh());

    const window = inject(DOCUMENT).defaultView;
    const onFocus = () => this.events.refresh();
    window?.addEventListener('focus', onFocus);
    inject(DestroyRef).onDestroy(() => {
      window?.removeEventListener('focus', onFocus);
      realtime.disconnect();
    });
  }

  protected setStatus(value: string): void {
    this.events.setFilters({
      ...this.events.filters(),
      status: (value || undefined) as WebhookEventStatus | undefined,
    });
  }

  protected setAccount(value: string): void {
    this.events.setFilters({
      ...this.events.filters(),
      accountId: value || undefined,
    });
  }
}
