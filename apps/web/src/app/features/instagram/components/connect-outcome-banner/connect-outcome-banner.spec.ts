import { TestBed } from '@angular/core/testing';
import {
  INSTAGRAM_CONNECT_ERROR_REASONS,
  type InstagramConnectErrorReason,
} from '@instantchat/contracts';
import { connectOutcomeFrom } from '../../state/connect-outcome';
import { ConnectOutcomeBanner } from './connect-outcome-banner';

describe('ConnectOutcomeBanner', () => {
  async function render(query: Record<string, string>) {
    const outcome = connectOutcomeFrom(query);
    if (!outcome) throw new Error(`no outcome for ${JSON.stringify(query)}`);
    const fixture = TestBed.createComponent(ConnectOutcomeBanner);
    fixture.componentRef.setInput('outcome', outcome);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const banner = element.querySelector<HTMLElement>(
      '[data-testid="connect-outcome"]',
    );
    return {
      fixture,
      banner,
      text: banner?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
    };
  }

  it('names the account that was connected, as a status', async () => {
    const { banner, text } = await render({
      status: 'connected',
      account: 'bluejacket.store',
    });

    expect(banner?.getAttribute('role')).toBe('status');
    expect(banner?.dataset['outcome']).toBe('connected');
    expect(text).toContain('Connected @bluejacket.store.');
    expect(text).toContain('direct messages will arrive in your inbox');
  });

  it('does not repeat an account name that is not an Instagram username', async () => {
    const { text } = await render({
      status: 'connected',
      account: '<b>not a username</b>',
    });

    expect(text).toContain('Your Instagram account is connected.');
    expect(text).not.toContain('not a username');
  });

  const plainWords: [InstagramConnectErrorReason, string][] = [
    ['denied', 'You cancelled, so nothing was connected.'],
    ['already_connected', 'Someone else already connected'],
    ['no_professional_account', 'is a personal account'],
    ['no_page', 'No Facebook Page'],
    ['meta_unavailable', 'did not answer in time'],
    ['state_expired', 'has expired'],
    ['state_used', 'was already used'],
    ['state_invalid', 'is not valid'],
    ['code_invalid', 'already used or has expired'],
    ['meta_error', 'refused a step'],
  ];

  it('has words for every reason the API can give', () => {
    expect(plainWords.map(([reason]) => reason).sort()).toEqual(
      [...INSTAGRAM_CONNECT_ERROR_REASONS].sort(),
    );
  });

  it.each(plainWords)(
    'explains reason=%s in plain words, as an alert',
    async (reason, words) => {
      const { banner, text } = await render({ status: 'error', reason });

      expect(banner?.getAttribute('role')).toBe('alert');
      expect(banner?.dataset['reason']).toBe(reason);
      expect(text).toContain(words);
      expect(text).not.toContain(reason);
    },
  );

  it('says something useful about a reason it does not know', async () => {
    const { banner, text } = await render({
      status: 'error',
      reason: 'brand_new_reason',
    });

    expect(banner?.dataset['reason']).toBe('unknown');
    expect(text).toContain('Connecting did not finish.');
  });

  it('emits dismissed from its close button', async () => {
    const { fixture, banner } = await render({
      status: 'error',
      reason: 'denied',
    });
    let dismissed = 0;
    fixture.componentInstance.dismissed.subscribe(() => dismissed++);

    banner
      ?.querySelector<HTMLButtonElement>('button[aria-label="Dismiss"]')
      ?.click();

    expect(dismissed).toBe(1);
  });

  it('shows nothing for a page opened without an outcome', () => {
    expect(connectOutcomeFrom({})).toBeNull();
    expect(connectOutcomeFrom({ status: 'pending' })).toBeNull();
  });
});
