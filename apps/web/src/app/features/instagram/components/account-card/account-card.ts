import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
  output,
  signal,
} from '@angular/core';
import type { InstagramAccountDto } from '@instantchat/contracts';

const METHOD_LABELS: Record<InstagramAccountDto['method'], string> = {
  instagram: 'Instagram Login',
  facebook: 'Facebook Login',
};

/** Under a week left: worth the owner's attention even though tokens renew on their own. */
const EXPIRY_WARNING_DAYS = 7;

const EXPIRY_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** One connected Instagram account: who it is, how it is connected, and whether it still works. */
@Component({
  selector: 'ic-account-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './account-card.html',
  styleUrl: './account-card.css',
  host: {
    'data-testid': 'instagram-account',
    '[attr.data-state]': 'account().state',
    '[attr.data-username]': 'account().username',
    '[class]': 'account().state',
  },
})
export class AccountCard {
  readonly account = input.required<InstagramAccountDto>();
  /** True while any consent page is being opened, so no second one starts. */
  readonly busy = input(false);
  /** False when the server no longer offers the account's login method (`loginMethods`). */
  readonly canReconnect = input(true);

  readonly reconnect = output<InstagramAccountDto>();
  readonly disconnect = output<InstagramAccountDto>();

  /** Meta's picture links expire; the initial stands in when one no longer loads. */
  protected readonly pictureFailed = signal(false);
  protected readonly initial = computed(() =>
    (this.account().name || this.account().username).charAt(0).toUpperCase(),
  );
  protected readonly methodLabel = computed(
    () => METHOD_LABELS[this.account().method],
  );
  protected readonly expiry = computed(() => {
    const { tokenExpiresAt, daysLeft, state } = this.account();
    if (state === 'disconnected') return null;
    // Whatever date the token had, Meta has refused it.
    if (state === 'needs_reconnect') {
      return {
        text: 'Refused by Meta: reconnect to restore it',
        warning: true,
      };
    }
    if (!tokenExpiresAt || daysLeft === null) {
      return { text: 'Access does not expire', warning: false };
    }
    const date = EXPIRY_DATE.format(new Date(tokenExpiresAt));
    const left =
      daysLeft === 0
        ? 'less than a day left'
        : `${daysLeft} ${daysLeft === 1 ? 'day' : 'days'} left`;
    return {
      text: `Access valid until ${date} (${left})`,
      warning: state === 'connected' && daysLeft < EXPIRY_WARNING_DAYS,
    };
  });
  /** Connected, yet Meta is not sending its messages: say so rather than stay silent. */
  protected readonly notReceiving = computed(
    () =>
      this.account().state === 'connected' && !this.account().webhookSubscribed,
  );
}
