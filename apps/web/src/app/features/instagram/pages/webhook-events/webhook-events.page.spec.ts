import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  type TestRequest,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type {
  InstagramAccountDto,
  WebhookEventDto,
  WebhookEventPageDto,
} from '@instantchat/contracts';
import { RealtimeService } from '../../../../core/realtime/realtime.service';
import { SESSION_STORAGE } from '../../../../core/session/session-storage';
import { FakeRealtime } from '../../../../../testing/fake-realtime';
import { memoryStorage, session } from '../../../../../testing/fixtures';
import { WebhookEventsPage } from './webhook-events.page';

describe('WebhookEventsPage', () => {
  const shop: InstagramAccountDto = {
    id: '17841405822304914',
    username: 'bluejacket.store',
    method: 'facebook',
    tokenExpiresAt: null,
    daysLeft: null,
    webhookSubscribed: true,
    state: 'connected',
  };
  const processed: WebhookEventDto = {
    id: '6650a0000000000000000002',
    receivedAt: '2026-11-30T10:05:00.000Z',
    status: 'processed',
    attempts: 1,
    items: [
      {
        index: 0,
        kind: 'message',
        accountId: shop.id,
        status: 'processed',
        attempts: 1,
      },
      {
        index: 1,
        kind: 'message',
        accountId: shop.id,
        status: 'processed',
        attempts: 1,
      },
    ],
  };
  const failed: WebhookEventDto = {
    id: '6650a0000000000000000001',
    receivedAt: '2026-11-30T10:00:00.000Z',
    status: 'failed',
    attempts: 5,
    lastError: 'Database unavailable',
    items: [
      {
        index: 0,
        kind: 'reaction',
        accountId: shop.id,
        status: 'failed',
        attempts: 5,
        error: 'Database unavailable',
      },
    ],
  };
  const signedIn = session();
  let http: HttpTestingController;
  let realtime: FakeRealtime;

  beforeEach(() => {
    realtime = new FakeRealtime();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: memoryStorage(signedIn) },
        { provide: RealtimeService, useValue: realtime },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  const eventsRequest = (): TestRequest =>
    http.expectOne((r) => r.url === '/api/instagram/events');
  const page = (
    items: WebhookEventDto[],
    nextCursor: string | null = null,
  ): WebhookEventPageDto => ({ items, nextCursor });

  async function render() {
    const fixture = TestBed.createComponent(WebhookEventsPage);
    http.expectOne('/api/instagram/status').flush({
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [shop],
    });
    const element = fixture.nativeElement as HTMLElement;
    const find = <T extends HTMLElement = HTMLElement>(testId: string) =>
      element.querySelector<T>(`[data-testid="${testId}"]`);
    const all = (testId: string) =>
      Array.from(
        element.querySelectorAll<HTMLElement>(`[data-testid="${testId}"]`),
      );
    const settle = () => fixture.whenStable();
    await settle();
    return { fixture, element, find, all, settle };
  }

  it('shows skeletons while loading, then each delivery with status, account, kind, attempts and error', async () => {
    const { find, all, settle } = await render();
    expect(find('events-loading')?.getAttribute('aria-busy')).toBe('true');

    eventsRequest().flush(page([processed, failed]));
    await settle();

    expect(find('events-loading')).toBeNull();
    expect(all('event-status').map((e) => e.textContent?.trim())).toEqual([
      'Processed',
      'Failed',
    ]);
    expect(all('event-account').map((e) => e.textContent?.trim())).toEqual([
      '@bluejacket.store',
      '@bluejacket.store',
    ]);
    expect(all('event-kind').map((e) => e.textContent?.trim())).toEqual([
      'message ×2',
      'reaction',
    ]);
    expect(all('event-attempts').map((e) => e.textContent?.trim())).toEqual([
      '1',
      '5',
    ]);
    expect(all('event-error').map((e) => e.textContent?.trim())).toEqual([
      '—',
      'Database unavailable',
    ]);
    // Only the failed one offers a retry.
    expect(all('event-retry')).toHaveLength(1);
  });

  it('says what went wrong when the events cannot be loaded, and tries again', async () => {
    const { find, settle } = await render();
    eventsRequest().flush(
      {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Database down',
      },
      { status: 503, statusText: 'Service Unavailable' },
    );
    await settle();
    expect(find('events-error')?.textContent).toContain('Database down');

    find('events-error')?.querySelector('button')?.click();
    eventsRequest().flush(page([]));
    await settle();
    expect(find('events-error')).toBeNull();
    expect(find('events-empty')?.textContent).toContain(
      'No webhook events yet.',
    );
  });

  it('filters by status and account, and offers to clear filters that match nothing', async () => {
    const { find, settle } = await render();
    eventsRequest().flush(page([processed, failed]));
    await settle();

    const status = find<HTMLSelectElement>('events-status-filter');
    if (!status) throw new Error('no status filter');
    status.value = 'failed';
    status.dispatchEvent(new Event('change'));
    const byStatus = eventsRequest();
    expect(byStatus.request.params.get('status')).toBe('failed');
    byStatus.flush(page([failed]));
    await settle();

    const account = find<HTMLSelectElement>('events-account-filter');
    if (!account) throw new Error('no account filter');
    expect(Array.from(account.options, (o) => o.textContent?.trim())).toEqual([
      'All accounts',
      '@bluejacket.store',
    ]);
    account.value = shop.id;
    account.dispatchEvent(new Event('change'));
    const both = eventsRequest();
    expect(both.request.params.get('status')).toBe('failed');
    expect(both.request.params.get('accountId')).toBe(shop.id);
    both.flush(page([]));
    await settle();

    expect(find('events-empty')?.textContent).toContain(
      'No event matches these filters.',
    );
    find('events-empty')?.querySelector('button')?.click();
    const cleared = eventsRequest();
    expect(cleared.request.params.keys()).toEqual([]);
    cleared.flush(page([processed]));
  });

  it('retries a failed delivery and shows what the server says of it then', async () => {
    const { find, all, settle, element } = await render();
    eventsRequest().flush(page([processed, failed]));
    await settle();

    find<HTMLButtonElement>('event-retry')?.click();
    await settle();
    expect(find<HTMLButtonElement>('event-retry')?.disabled).toBe(true);
    const retry = http.expectOne(`/api/instagram/events/${failed.id}/retry`);
    expect(retry.request.method).toBe('POST');
    retry.flush({
      ...failed,
      status: 'processed',
      attempts: 1,
      lastError: undefined,
      items: [{ ...failed.items[0], status: 'processed', error: undefined }],
    });
    await settle();

    expect(all('event-status').map((e) => e.textContent?.trim())).toEqual([
      'Processed',
      'Processed',
    ]);
    expect(all('event-retry')).toHaveLength(0);
    expect(
      element.querySelector('[data-testid="instagram-toast"]')?.textContent,
    ).toContain('Processed on retry.');
  });

  it('keeps the row and says why when a retry is refused', async () => {
    const { find, settle, element } = await render();
    eventsRequest().flush(page([failed]));
    await settle();

    find<HTMLButtonElement>('event-retry')?.click();
    http
      .expectOne(`/api/instagram/events/${failed.id}/retry`)
      .flush(
        { statusCode: 404, error: 'Not Found', message: 'No such event' },
        { status: 404, statusText: 'Not Found' },
      );
    await settle();

    expect(find('event-status')?.textContent?.trim()).toBe('Failed');
    expect(find<HTMLButtonElement>('event-retry')?.disabled).toBe(false);
    expect(
      element.querySelector('[data-testid="instagram-toast"]')?.textContent,
    ).toContain('No such event');
  });

  it('pages back with the cursor, and a refresh adds new deliveries on top without losing older ones', async () => {
    const { find, all, settle } = await render();
    eventsRequest().flush(page([processed], 'cursor-1'));
    await settle();

    find<HTMLButtonElement>('events-load-more')?.click();
    const older = eventsRequest();
    expect(older.request.params.get('before')).toBe('cursor-1');
    older.flush(page([failed]));
    await settle();
    expect(all('event-row')).toHaveLength(2);
    expect(find('events-load-more')).toBeNull();

    const newest: WebhookEventDto = {
      ...processed,
      id: '6650a0000000000000000003',
      receivedAt: '2026-11-30T10:10:00.000Z',
    };
    find<HTMLButtonElement>('events-refresh')?.click();
    eventsRequest().flush(page([newest, processed], 'cursor-2'));
    await settle();
    expect(all('event-row').map((row) => row.dataset['eventId'])).toEqual([
      newest.id,
      processed.id,
      failed.id,
    ]);
  });

  it('refreshes when the tab regains focus, and listens on the socket only while open', async () => {
    const { fixture, settle } = await render();
    eventsRequest().flush(page([]));
    await settle();
    expect(realtime.connectedWith).toBe(signedIn.accessToken);
    expect(realtime.instagramEventWatchers).toBe(1);

    window.dispatchEvent(new Event('focus'));
    eventsRequest().flush(page([failed]));
    await settle();

    fixture.destroy();
    expect(realtime.connectedWith).toBeNull();
    expect(realtime.instagramEventWatchers).toBe(0);
    window.dispatchEvent(new Event('focus'));
    http.expectNone((r) => r.url === '/api/instagram/events');
  });

  it('says whether deliveries arrive live, as the inbox does', async () => {
    const { find, settle } = await render();
    eventsRequest().flush(page([]));
    await settle();
    const pill = () => find('connection-status');
    expect(pill()?.textContent?.trim()).toBe('Connecting…');

    realtime.statusSignal.set('connected');
    await settle();
    expect(pill()?.textContent?.trim()).toBe('Live');
    expect(pill()?.getAttribute('title')).toBe(
      'New deliveries arrive as they are sent',
    );

    realtime.statusSignal.set('offline');
    await settle();
    expect(pill()?.textContent?.trim()).toBe('Offline');
    expect(pill()?.getAttribute('title')).toBe(
      'New deliveries will appear once the connection is back',
    );
  });

  it('shows a delivery pushed over the socket at once: a new one on top, a known one updated in place', async () => {
    const { all, settle } = await render();
    eventsRequest().flush(page([processed, failed]));
    await settle();

    const newest: WebhookEventDto = {
      ...failed,
      id: '6650a0000000000000000004',
      receivedAt: '2026-11-30T10:20:00.000Z',
      status: 'pending',
      attempts: 1,
    };
    realtime.instagramEvent$.next(newest);
    realtime.instagramEvent$.next({
      ...failed,
      status: 'processed',
      items: [{ ...failed.items[0], status: 'processed', error: undefined }],
      lastError: undefined,
    });
    await settle();

    expect(all('event-row').map((row) => row.dataset['eventId'])).toEqual([
      newest.id,
      processed.id,
      failed.id,
    ]);
    expect(all('event-status').map((e) => e.textContent?.trim())).toEqual([
      'Pending',
      'Processed',
      'Processed',
    ]);
    http.expectNone((r) => r.url === '/api/instagram/events');
  });

  it('leaves a pushed delivery older than the rows shown to the page it belongs to', async () => {
    const { all, settle } = await render();
    eventsRequest().flush(page([processed], 'cursor-1'));
    await settle();

    realtime.instagramEvent$.next(failed);
    await settle();
    expect(all('event-row').map((row) => row.dataset['eventId'])).toEqual([
      processed.id,
    ]);
  });

  it('refetches under a filter when deliveries are pushed, once per burst, and after a reconnect', async () => {
    const { find, settle } = await render();
    eventsRequest().flush(page([processed, failed]));
    await settle();
    const status = find<HTMLSelectElement>('events-status-filter');
    if (!status) throw new Error('no status filter');
    status.value = 'failed';
    status.dispatchEvent(new Event('change'));
    eventsRequest().flush(page([failed]));
    await settle();

    realtime.instagramEvent$.next(failed);
    realtime.instagramEvent$.next(processed);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const refetch = eventsRequest();
    expect(refetch.request.params.get('status')).toBe('failed');
    refetch.flush(page([failed]));
    await settle();

    // A reconnect: the accounts (for the account filter) are refetched at once; the events once
    // the server takes the watch again, from when on every delivery is pushed.
    realtime.connected$.next({ isReconnect: true });
    http.expectOne('/api/instagram/status').flush({
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [shop],
    });
    http.expectNone((r) => r.url === '/api/instagram/events');
    realtime.instagramEventsWatched$.next();
    eventsRequest().flush(page([failed]));
  });

  it('refetches once the server takes the watch, after the first page when that is still on its way', async () => {
    const { all, settle } = await render();
    const first = eventsRequest();
    // Taken while the first page is on its way: that page may have been read before.
    realtime.instagramEventsWatched$.next();
    http.expectNone((r) => r.url === '/api/instagram/events');

    first.flush(page([failed]));
    await settle();
    eventsRequest().flush(page([processed, failed]));
    await settle();

    expect(all('event-row').map((row) => row.dataset['eventId'])).toEqual([
      processed.id,
      failed.id,
    ]);
    http.expectNone((r) => r.url === '/api/instagram/events');
  });

  it('refetches again after a refresh already on its way, and keeps refreshing after a filter change cut one short', async () => {
    const { find, settle } = await render();
    eventsRequest().flush(page([failed]));
    await settle();

    window.dispatchEvent(new Event('focus'));
    const inFlight = eventsRequest();
    realtime.instagramEventsWatched$.next();
    inFlight.flush(page([failed]));
    await settle();
    eventsRequest().flush(page([processed, failed]));
    await settle();

    // A refresh on its way, then a filter change: the new filter's page replaces it.
    window.dispatchEvent(new Event('focus'));
    eventsRequest();
    const status = find<HTMLSelectElement>('events-status-filter');
    if (!status) throw new Error('no status filter');
    status.value = 'failed';
    status.dispatchEvent(new Event('change'));
    const filtered = http.expectOne(
      (r) =>
        r.url === '/api/instagram/events' &&
        r.params.get('status') === 'failed',
    );
    filtered.flush(page([failed]));
    await settle();

    window.dispatchEvent(new Event('focus'));
    eventsRequest().flush(page([failed]));
  });
});
