import {
  DOCUMENT,
  DestroyRef,
  Injectable,
  computed,
  inject,
  signal,
} from '@angular/core';
import type {
  InstagramAccountDto,
  InstagramLoginMethod,
  InstagramStatusDto,
  InstagramStatusPayload,
} from '@instantchat/contracts';
import { Observable, filter, tap } from 'rxjs';
import { apiErrorMessage } from '../../../core/api-error';
import type { LoadStatus } from '../../../core/load-status';
import { RealtimeService } from '../../../core/realtime/realtime.service';
import { AuthService } from '../../../core/session/auth.service';
import { InstagramConnectionsApi } from '../data/instagram-connections.api';
import { LEAVE_FOR_META } from '../data/leave-for-meta';
import { overallState } from './overall-state';

export interface Toast {
  id: number;
  tone: 'error' | 'success';
  text: string;
}

const SUCCESS_TOAST_MS = 6_000;
const MAX_TOASTS = 3;

/**
 * The signed-in person's Instagram accounts, shared by the connect page and the header
 * indicator: loaded over REST, kept current by `instagram:status` and refreshed after a
 * reconnect (changes made while the socket was down were never pushed).
 */
@Injectable({ providedIn: 'root' })
export class InstagramConnectionStore {
  private readonly api = inject(InstagramConnectionsApi);
  private readonly auth = inject(AuthService);
  private readonly leaveForMeta = inject(LEAVE_FOR_META);

  /** Kept with its owner's id, so the next person to sign in on this tab never sees it. */
  private readonly loaded = signal<{
    ownerId: string;
    status: InstagramStatusDto;
  } | null>(null);
  private readonly loadState = signal<LoadStatus>('loading');
  private readonly toastList = signal<Toast[]>([]);
  private nextToastId = 1;

  readonly status = computed(() => {
    const loaded = this.loaded();
    return loaded && loaded.ownerId === this.auth.user()?.id
      ? loaded.status
      : null;
  });
  /** `ready` as soon as a status is known, even while a refresh is under way. */
  readonly loadStatus = computed<LoadStatus>(() =>
    this.status() ? 'ready' : this.loadState(),
  );
  readonly loadError = signal<string | null>(null);
  readonly overall = computed(() => {
    const status = this.status();
    return status ? overallState(status) : null;
  });
  /**
   * The login methods the server offers, its default first: the connect buttons to show. Null
   * until the status is known; empty when the server offers none.
   */
  readonly loginMethods = computed(() => this.status()?.loginMethods ?? null);
  /** Connected and needing-reconnect accounts, oldest first. */
  readonly activeAccounts = computed(() =>
    (this.status()?.accounts ?? []).filter(
      (account) => account.state !== 'disconnected',
    ),
  );
  readonly disconnectedAccounts = computed(() =>
    (this.status()?.accounts ?? []).filter(
      (account) => account.state === 'disconnected',
    ),
  );
  /** The login method whose consent page is being opened; the page is about to leave. */
  readonly startingMethod = signal<InstagramLoginMethod | null>(null);
  readonly toasts = this.toastList.asReadonly();

  constructor() {
    const realtime = inject(RealtimeService);
    realtime.instagramStatus$.subscribe((change) => this.applyChange(change));
    realtime.connected$
      .pipe(filter(({ isReconnect }) => isReconnect))
      .subscribe(() => this.load());
    // Back from Meta's page through the browser's back button: the page comes back from the
    // back/forward cache as it was left, with its connect button still busy.
    const window = inject(DOCUMENT).defaultView;
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) this.startingMethod.set(null);
    };
    window?.addEventListener('pageshow', onPageShow);
    inject(DestroyRef).onDestroy(() =>
      window?.removeEventListener('pageshow', onPageShow),
    );
  }

  load(): void {
    const ownerId = this.auth.user()?.id;
    if (!ownerId) {
      return;
    }
    if (!this.status()) {
      this.loadState.set('loading');
    }
    this.api.status().subscribe({
      next: (status) => {
        this.loaded.set({ ownerId, status });
        this.loadState.set('ready');
        this.loadError.set(null);
      },
      error: (error: unknown) => {
        this.loadState.set('error');
        this.loadError.set(
          apiErrorMessage(error, 'Could not load your Instagram accounts.'),
        );
      },
    });
  }

  /** Asks the API for Meta's consent page and goes there; a failure becomes a toast. */
  connect(method: InstagramLoginMethod): void {
    if (this.startingMethod()) {
      return;
    }
    this.startingMethod.set(method);
    this.api.authorizationUrl(method).subscribe({
      next: (url) => this.leaveForMeta(url),
      error: (error: unknown) => {
        this.startingMethod.set(null);
        this.showToast(
          'error',
          apiErrorMessage(
            error,
            'Could not open the sign-in page. Please try again.',
          ),
        );
      },
    });
  }

  /** Disconnects one account; the caller decides what a failure looks like. */
  disconnect(account: InstagramAccountDto): Observable<InstagramStatusDto> {
    return this.api.disconnect(account.id).pipe(
      tap((status) => {
        const ownerId = this.auth.user()?.id;
        if (ownerId) this.loaded.set({ ownerId, status });
      }),
    );
  }

  showToast(tone: Toast['tone'], text: string): void {
    const toast: Toast = { id: this.nextToastId++, tone, text };
    this.toastList.update((list) => [...list, toast].slice(-MAX_TOASTS));
    // Errors stay until dismissed: a person may need longer to read what went wrong.
    if (tone === 'success') {
      setTimeout(() => this.dismissToast(toast.id), SUCCESS_TOAST_MS);
    }
  }

  dismissToast(id: number): void {
    this.toastList.update((list) => list.filter((toast) => toast.id !== id));
  }

  /** A pushed change: patch the account it names, else fetch the whole status again. */
  private applyChange(change: InstagramStatusPayload): void {
    const loaded = this.loaded();
    const account = change.account;
    if (!loaded || !account || loaded.ownerId !== this.auth.user()?.id) {
      this.load();
      return;
    }
    const known = loaded.status.accounts.some(({ id }) => id === account.id);
    const accounts = known
      ? loaded.status.accounts.map((existing) =>
          existing.id === account.id ? account : existing,
        )
      : [...loaded.status.accounts, account];
    this.loaded.set({
      ownerId: loaded.ownerId,
      status: { ...loaded.status, connected: change.connected, accounts },
    });
  }
}
