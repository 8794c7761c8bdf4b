import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { InstagramAccountDto } from '@instantchat/contracts';
import { RealtimeService } from '../../../../core/realtime/realtime.service';
import { SESSION_STORAGE } from '../../../../core/session/session-storage';
import { FakeRealtime } from '../../../../../testing/fake-realtime';
import { memoryStorage, session } from '../../../../../testing/fixtures';
import { ConnectInstagramPage } from './connect-instagram.page';

describe('ConnectInstagramPage', () => {
  const account: InstagramAccountDto = {
    id: '17841405822304916',
    username: 'solo.studio',
    method: 'instagram',
    tokenExpiresAt: '2027-01-28T12:00:00.000Z',
    daysLeft: 59,
    webhookSubscribed: true,
    state: 'connected',
  };
  let http: HttpTestingController;
  let realtime: FakeRealtime;
  // One session for the whole test: each session() mints a token whose expiry follows the clock,
  // so two taken on either side of a second differ (the flake seen before).
  let signedIn: ReturnType<typeof session>;

  beforeEach(() => {
    realtime = new FakeRealtime();
    signedIn = session();
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

  async function render() {
    const fixture = TestBed.createComponent(ConnectInstagramPage);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const find = <T extends HTMLElement = HTMLElement>(testId: string) =>
      element.querySelector<T>(`[data-testid="${testId}"]`);
    const settle = () => fixture.whenStable();
    return { fixture, element, find, settle };
  }

  it('announces the outcome Meta sent back once: the address is cleaned, so a reload does not repeat it', async () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'instagram', component: ConnectInstagramPage }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: memoryStorage(signedIn) },
        { provide: RealtimeService, useValue: realtime },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    const status = {
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [account],
    };
    const back = await RouterTestingHarness.create(
      '/instagram?status=connected&account=solo.studio#_',
    );
    http.expectOne('/api/instagram/status').flush(status);
    await back.fixture.whenStable();
    const banner = () =>
      (back.routeNativeElement as HTMLElement).querySelector(
        '[data-testid="connect-outcome"]',
      );
    expect(banner()?.textContent).toContain('Connected @solo.studio');
    // The address in the bar names no outcome any more: a reload of it announces nothing.
    expect(TestBed.inject(Router).url).toBe('/instagram');

    // Dismissed, it goes; the address is already clean.
    banner()?.querySelector('button')?.click();
    await back.fixture.whenStable();
    expect(banner()).toBeNull();
  });

  it('shows skeletons while loading, then the load error with a retry that works', async () => {
    const { find, settle } = await render();
    expect(find('accounts-loading')?.getAttribute('aria-busy')).toBe('true');

    http
      .expectOne('/api/instagram/status')
      .flush(null, { status: 0, statusText: 'Unknown Error' });
    await settle();
    expect(find('accounts-error')?.textContent).toContain(
      'Cannot reach the server',
    );

    find('accounts-error')?.querySelector('button')?.click();
    http.expectOne('/api/instagram/status').flush({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });
    await settle();
    expect(find('accounts-error')).toBeNull();
    expect(find('accounts-empty')).not.toBeNull();
  });

  it('listens for live changes while open and lets go when it closes', async () => {
    const { fixture } = await render();
    http.expectOne('/api/instagram/status').flush({
      connected: false,
      loginMethods: ['instagram', 'facebook'],
      accounts: [],
    });
    expect(realtime.connectedWith).toBe(signedIn.accessToken);

    fixture.destroy();
    expect(realtime.connectedWith).toBeNull();
  });

  it('keeps the confirmation open with the reason when disconnecting fails, and Escape cancels it', async () => {
    const { find, settle } = await render();
    http.expectOne('/api/instagram/status').flush({
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [account],
    });
    await settle();

    find<HTMLButtonElement>('disconnect-button')?.click();
    await settle();
    expect(find('disconnect-dialog')?.textContent).toContain(
      'Its conversations and their history stay in your inbox.',
    );
    find<HTMLButtonElement>('disconnect-confirm')?.click();
    const request = http.expectOne(
      (r) => r.url === '/api/instagram/disconnect',
    );
    expect(request.request.method).toBe('DELETE');
    expect(request.request.params.get('accountId')).toBe(account.id);
    request.flush(
      {
        statusCode: 404,
        error: 'Not Found',
        message: 'No such Instagram account among yours',
      },
      { status: 404, statusText: 'Not Found' },
    );
    await settle();
    expect(find('disconnect-error')?.textContent).toContain(
      'No such Instagram account among yours',
    );
    expect(find('instagram-account')?.dataset['state']).toBe('connected');

    find('disconnect-dialog')?.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
    );
    await settle();
    expect(find('disconnect-dialog')).toBeNull();
  });

  it('moves a disconnected account out of the active list and says its history stays', async () => {
    const { find, element, settle } = await render();
    http.expectOne('/api/instagram/status').flush({
      connected: true,
      loginMethods: ['instagram', 'facebook'],
      accounts: [account],
    });
    await settle();

    find<HTMLButtonElement>('disconnect-button')?.click();
    await settle();
    find<HTMLButtonElement>('disconnect-confirm')?.click();
    http
      .expectOne((r) => r.url === '/api/instagram/disconnect')
      .flush({
        connected: false,
        loginMethods: ['instagram', 'facebook'],
        accounts: [{ ...account, state: 'disconnected' }],
      });
    await settle();

    expect(find('disconnect-dialog')).toBeNull();
    expect(find('accounts-empty')?.textContent).toContain(
      'Connect one again below',
    );
    expect(find('instagram-account')?.dataset['state']).toBe('disconnected');
    expect(
      element.querySelector('[data-testid="instagram-toast"]')?.textContent,
    ).toContain(
      'Disconnected @solo.studio. Its conversations stay in your inbox.',
    );
  });

  describe('login methods', () => {
    const methodsShown = (element: HTMLElement) =>
      Array.from(
        element.querySelectorAll<HTMLButtonElement>(
          '[data-testid="connect-instagram"], [data-testid="connect-facebook"]',
        ),
        (button) => button.dataset['testid'],
      );
    const guides = (element: HTMLElement) =>
      Array.from(
        element.querySelectorAll<HTMLElement>('[data-testid^="guide-"]'),
        (guide) => guide.dataset['testid'],
      );

    it('waits for the status before offering any way to connect', async () => {
      const { element, find } = await render();
      expect(find('connect-buttons-loading')?.getAttribute('aria-busy')).toBe(
        'true',
      );
      expect(methodsShown(element)).toEqual([]);
      http.expectOne('/api/instagram/status').flush({
        connected: false,
        loginMethods: ['instagram', 'facebook'],
        accounts: [],
      });
    });

    it('offers both methods, Instagram first, with both guides', async () => {
      const { element, find, settle } = await render();
      http.expectOne('/api/instagram/status').flush({
        connected: false,
        loginMethods: ['instagram', 'facebook'],
        accounts: [],
      });
      await settle();
      expect(methodsShown(element)).toEqual([
        'connect-instagram',
        'connect-facebook',
      ]);
      expect(find('connect-instagram')?.classList).toContain('connect-primary');
      expect(guides(element)).toEqual(['guide-instagram', 'guide-facebook']);
    });

    it('shows only Facebook Login, as the main button, on a server that offers only it', async () => {
      const { element, find, settle } = await render();
      http.expectOne('/api/instagram/status').flush({
        connected: false,
        loginMethods: ['facebook'],
        accounts: [],
      });
      await settle();
      expect(methodsShown(element)).toEqual(['connect-facebook']);
      expect(find('connect-facebook')?.classList).toContain('connect-primary');
      expect(guides(element)).toEqual(['guide-facebook']);
      expect(find('no-login-methods')).toBeNull();
    });

    it('says plainly when the server offers no way to connect', async () => {
      const { element, find, settle } = await render();
      http.expectOne('/api/instagram/status').flush({
        connected: false,
        loginMethods: [],
        accounts: [],
      });
      await settle();
      expect(methodsShown(element)).toEqual([]);
      expect(guides(element)).toEqual([]);
      expect(find('no-login-methods')?.textContent).toContain(
        'This server offers no way to connect Instagram yet',
      );
    });

    it('links to the webhook events page', async () => {
      const { find, settle } = await render();
      http.expectOne('/api/instagram/status').flush({
        connected: true,
        loginMethods: ['instagram'],
        accounts: [account],
      });
      await settle();
      expect(find('webhook-events-link')?.getAttribute('href')).toBe(
        '/instagram/events',
      );
    });
  });
});
