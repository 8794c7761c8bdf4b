import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type {
  InstagramAccountDto,
  InstagramStatusDto,
} from '@instantchat/contracts';
import { RealtimeService } from '../../../core/realtime/realtime.service';
import { SESSION_STORAGE } from '../../../core/session/session-storage';
import { FakeRealtime } from '../../../../testing/fake-realtime';
import { memoryStorage, session } from '../../../../testing/fixtures';
import { LEAVE_FOR_META } from '../data/leave-for-meta';
import { InstagramConnectionStore } from '../state/instagram-connection.store';
import { InstagramHeaderStatus } from './instagram-header-status';

describe('InstagramHeaderStatus', () => {
  const account: InstagramAccountDto = {
    id: '17841405822304914',
    username: 'bluejacket.store',
    method: 'facebook',
    pageId: '109876543210001',
    pageName: 'Blue Jacket Store',
    tokenExpiresAt: null,
    daysLeft: null,
    webhookSubscribed: true,
    state: 'connected',
  };
  let realtime: FakeRealtime;
  let http: HttpTestingController;
  let leftFor: string[];

  beforeEach(() => {
    realtime = new FakeRealtime();
    leftFor = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: memoryStorage(session()) },
        { provide: RealtimeService, useValue: realtime },
        {
          provide: LEAVE_FOR_META,
          useValue: (url: string) => leftFor.push(url),
        },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  async function render(status: InstagramStatusDto) {
    const fixture = TestBed.createComponent(InstagramHeaderStatus);
    http.expectOne('/api/instagram/status').flush(status);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const pill = () =>
      element.querySelector<HTMLAnchorElement>(
        '[data-testid="instagram-status"]',
      );
    const quickConnect = () =>
      element.querySelector<HTMLButtonElement>(
        '[data-testid="instagram-quick-connect"]',
      );
    return { fixture, element, pill, quickConnect };
  }

  it('says not connected, links to the connect page and offers a quick connect', async () => {
    const { pill, quickConnect } = await render({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });

    expect(pill()?.dataset['state']).toBe('not_connected');
    expect(pill()?.getAttribute('href')).toBe('/instagram');
    expect(pill()?.getAttribute('aria-label')).toBe(
      'Instagram not connected: manage accounts',
    );
    expect(quickConnect()?.textContent?.trim()).toBe('Connect Instagram');
  });

  it('quick connect goes to the consent page the API hands out', async () => {
    const { quickConnect } = await render({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });

    quickConnect()?.click();
    const request = http.expectOne(
      (r) => r.url === '/api/instagram/auth/instagram',
    );
    expect(request.request.params.get('method')).toBe('instagram');
    request.flush({ url: 'https://www.instagram.com/oauth/authorize?x=1' });

    expect(leftFor).toEqual(['https://www.instagram.com/oauth/authorize?x=1']);
  });

  it('quick connect uses the server’s only method, and is not offered when there is none', async () => {
    const facebookOnly = await render({
      connected: false,
      loginMethods: ['facebook'],
      accounts: [],
    });
    facebookOnly.quickConnect()?.click();
    const request = http.expectOne(
      (r) => r.url === '/api/instagram/auth/instagram',
    );
    expect(request.request.params.get('method')).toBe('facebook');
    request.flush({ url: 'https://www.facebook.com/v26.0/dialog/oauth?x=1' });

    TestBed.inject(InstagramConnectionStore).startingMethod.set(null);
    facebookOnly.fixture.destroy();
    const none = await render({
      connected: false,
      loginMethods: [],
      accounts: [],
    });
    expect(none.pill()?.dataset['state']).toBe('not_connected');
    expect(none.quickConnect()).toBeNull();
  });

  it('shows a toast with the server’s reason when the consent page cannot be opened', async () => {
    const { fixture, element, quickConnect } = await render({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });

    quickConnect()?.click();
    http
      .expectOne((r) => r.url === '/api/instagram/auth/instagram')
      .flush(
        {
          statusCode: 503,
          error: 'Service Unavailable',
          message:
            'Connecting with instagram login is not available on this server',
        },
        { status: 503, statusText: 'Service Unavailable' },
      );
    await fixture.whenStable();

    const toast = element.querySelector('[data-testid="instagram-toast"]');
    expect(toast?.getAttribute('role')).toBe('alert');
    expect(toast?.textContent).toContain(
      'Connecting with instagram login is not available on this server',
    );
    expect(leftFor).toEqual([]);
    expect(quickConnect()?.disabled).toBe(false);
  });

  it('turns connected, then needs reconnect, live on instagram:status', async () => {
    const { fixture, pill, quickConnect } = await render({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });

    realtime.instagramStatus$.next({ connected: true, account });
    await fixture.whenStable();
    expect(pill()?.dataset['state']).toBe('connected');
    expect(quickConnect()).toBeNull();

    realtime.instagramStatus$.next({
      connected: false,
      reason: 'token_invalid',
      account: { ...account, state: 'needs_reconnect' },
    });
    await fixture.whenStable();
    expect(pill()?.dataset['state']).toBe('needs_reconnect');
    expect(pill()?.textContent).toContain('Instagram needs reconnecting');
  });

  it('asks for the whole status again when a change names no account', async () => {
    const { fixture, pill } = await render({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });

    realtime.instagramStatus$.next({ connected: true });
    http.expectOne('/api/instagram/status').flush({
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [account],
    });
    await fixture.whenStable();

    expect(pill()?.dataset['state']).toBe('connected');
  });

  it('catches up after the socket reconnects', async () => {
    const { fixture, pill } = await render({
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [account],
    });

    realtime.connected$.next({ isReconnect: true });
    http.expectOne('/api/instagram/status').flush({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [{ ...account, state: 'disconnected' }],
    });
    await fixture.whenStable();

    expect(pill()?.dataset['state']).toBe('not_connected');
  });

  it('links to the webhook events once an account is held, with an accessible name', async () => {
    const none = await render({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });
    expect(
      none.element.querySelector('[data-testid="header-webhook-events"]'),
    ).toBeNull();
    none.fixture.destroy();

    const held = await render({
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [account],
    });
    const link = held.element.querySelector<HTMLAnchorElement>(
      '[data-testid="header-webhook-events"]',
    );
    expect(link?.getAttribute('href')).toBe('/instagram/events');
    expect(link?.textContent?.trim()).toBe('Webhook events');
  });
});
