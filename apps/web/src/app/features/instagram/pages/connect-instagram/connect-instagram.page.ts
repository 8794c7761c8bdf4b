import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterNextRender,
  computed,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import {
  ActivatedRoute,
  type ParamMap,
  Router,
  RouterLink,
} from '@angular/router';
import {
  INSTAGRAM_LOGIN_METHODS,
  type InstagramAccountDto,
  type InstagramLoginMethod,
} from '@instantchat/contracts';
import { apiErrorMessage } from '../../../../core/api-error';
import { RealtimeService } from '../../../../core/realtime/realtime.service';
import { AuthService } from '../../../../core/session/auth.service';
import { AccountCard } from '../../components/account-card/account-card';
import { ConnectGuide } from '../../components/connect-guide/connect-guide';
import { ConnectOutcomeBanner } from '../../components/connect-outcome-banner/connect-outcome-banner';
import { DisconnectDialog } from '../../components/disconnect-dialog/disconnect-dialog';
import { InstagramGlyph } from '../../components/instagram-glyph/instagram-glyph';
import { InstagramToasts } from '../../components/instagram-toasts/instagram-toasts';
import { connectOutcomeFrom } from '../../state/connect-outcome';
import { InstagramConnectionStore } from '../../state/instagram-connection.store';

/**
 * `/instagram`: connect accounts (Instagram Login first, a Facebook Page second), see each one's
 * health, reconnect or disconnect, and read the outcome Meta's round trip came back with.
 */
@Component({
  selector: 'ic-connect-instagram-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    AccountCard,
    ConnectGuide,
    ConnectOutcomeBanner,
    DisconnectDialog,
    InstagramGlyph,
    InstagramToasts,
  ],
  templateUrl: './connect-instagram.page.html',
  styleUrl: './connect-instagram.page.css',
})
export class ConnectInstagramPage {
  protected readonly store = inject(InstagramConnectionStore);
  /** Shown when the status could not be loaded: the server still refuses a method it lacks. */
  protected readonly allMethods = INSTAGRAM_LOGIN_METHODS;
  protected readonly offersInstagramLogin = computed(() =>
    this.offers('instagram'),
  );

  /** Whether the server offers a method; assumed while its status is unknown. */
  protected offers(method: InstagramLoginMethod): boolean {
    return this.store.loginMethods()?.includes(method) ?? true;
  }
  private readonly router = inject(Router);
  private readonly accountsHeading =
    viewChild.required<ElementRef<HTMLElement>>('accountsHeading');
  private readonly outcomeRegion =
    viewChild<ElementRef<HTMLElement>>('outcomeRegion');

  /**
   * Back from Meta: the outcome the address names, read once. The address is then cleaned (below),
   * so a reload or a bookmark does not announce the same connection again.
   */
  protected readonly outcome = signal(
    outcomeIn(inject(ActivatedRoute).snapshot.queryParamMap),
  );

  protected readonly pendingDisconnect = signal<InstagramAccountDto | null>(
    null,
  );
  protected readonly disconnecting = signal(false);
  protected readonly disconnectError = signal<string | null>(null);
  private returnFocusTo: HTMLElement | null = null;

  constructor() {
    this.store.load();
    // Live while the page is open: a connection that breaks (or is changed in another tab)
    // shows here without a reload.
    const realtime = inject(RealtimeService);
    const token = inject(AuthService).accessToken();
    if (token) {
      realtime.connect(token);
    }
    inject(DestroyRef).onDestroy(() => realtime.disconnect());
    // Back from Meta: the outcome is what the person came to read, so start there. The address
    // is cleaned once this navigation has ended (from the constructor, it would cancel it).
    afterNextRender(() => {
      this.outcomeRegion()?.nativeElement.focus();
      if (this.outcome()) this.clearAddress();
    });
  }

  protected connect(method: InstagramLoginMethod): void {
    this.store.connect(method);
  }

  protected dismissOutcome(): void {
    this.outcome.set(null);
  }

  /** Drops the outcome's parameters (and Meta's `#_`) from the address, not from history. */
  private clearAddress(): void {
    void this.router.navigate([], { queryParams: {}, replaceUrl: true });
  }

  protected askToDisconnect(account: InstagramAccountDto): void {
    this.returnFocusTo = document.activeElement as HTMLElement | null;
    this.disconnectError.set(null);
    this.pendingDisconnect.set(account);
  }

  protected cancelDisconnect(): void {
    this.pendingDisconnect.set(null);
    this.returnFocusTo?.focus();
    this.returnFocusTo = null;
  }

  protected confirmDisconnect(): void {
    const account = this.pendingDisconnect();
    if (!account || this.disconnecting()) {
      return;
    }
    this.disconnecting.set(true);
    this.disconnectError.set(null);
    this.store.disconnect(account).subscribe({
      next: () => {
        this.disconnecting.set(false);
        this.pendingDisconnect.set(null);
        this.returnFocusTo = null;
        // The card (and the button that opened the dialog) may be gone: land on the list.
        this.accountsHeading().nativeElement.focus();
        this.store.showToast(
          'success',
          `Disconnected @${account.username}. Its conversations stay in your inbox.`,
        );
      },
      error: (error: unknown) => {
        this.disconnecting.set(false);
        this.disconnectError.set(
          apiErrorMessage(error, 'Could not disconnect. Please try again.'),
        );
      },
    });
  }
}

function outcomeIn(query: ParamMap) {
  return connectOutcomeFrom({
    status: query.get('status'),
    account: query.get('account'),
    reason: query.get('reason'),
  });
}
