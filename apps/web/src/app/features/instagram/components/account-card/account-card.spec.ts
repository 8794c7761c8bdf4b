import { TestBed } from '@angular/core/testing';
import type { InstagramAccountDto } from '@instantchat/contracts';
import { AccountCard } from './account-card';

describe('AccountCard', () => {
  const connectedWithInstagram: InstagramAccountDto = {
    id: '17841405822304916',
    username: 'solo.studio',
    name: 'Solo Studio',
    pictureUrl: 'https://scontent.cdninstagram.com/v/sandbox/solo.studio.jpg',
    method: 'instagram',
    tokenExpiresAt: '2027-01-28T12:00:00.000Z',
    daysLeft: 59,
    webhookSubscribed: true,
    state: 'connected',
  };
  const connectedThroughPage: InstagramAccountDto = {
    id: '17841405822304914',
    username: 'bluejacket.store',
    name: 'Blue Jacket Store',
    method: 'facebook',
    pageId: '109876543210001',
    pageName: 'Blue Jacket Store',
    tokenExpiresAt: null,
    daysLeft: null,
    webhookSubscribed: true,
    state: 'connected',
  };
  const needingReconnect: InstagramAccountDto = {
    ...connectedWithInstagram,
    daysLeft: 0,
    tokenExpiresAt: '2026-11-30T18:00:00.000Z',
    state: 'needs_reconnect',
    lastError: 'Instagram no longer accepts this connection.',
  };

  async function render(account: InstagramAccountDto, busy = false) {
    const fixture = TestBed.createComponent(AccountCard);
    fixture.componentRef.setInput('account', account);
    fixture.componentRef.setInput('busy', busy);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const text = (testId: string) =>
      element
        .querySelector(`[data-testid="${testId}"]`)
        ?.textContent?.replace(/\s+/g, ' ')
        .trim();
    const button = (testId: string) =>
      element.querySelector<HTMLButtonElement>(`[data-testid="${testId}"]`);
    return { fixture, element, text, button };
  }

  it('shows a connected account’s picture, username, method and days of access left', async () => {
    const { element, text, button } = await render(connectedWithInstagram);

    expect(element.dataset['state']).toBe('connected');
    expect(element.querySelector('img')?.getAttribute('src')).toBe(
      connectedWithInstagram.pictureUrl,
    );
    expect(text('account-username')).toBe('@solo.studio');
    expect(text('account-state')).toBe('Connected');
    expect(text('account-method')).toBe('Instagram Login');
    expect(text('account-expiry')).toBe(
      'Access valid until 28 Jan 2027 (59 days left)',
    );
    expect(element.querySelector('[data-testid="account-page"]')).toBeNull();
    expect(element.querySelector('[data-testid="account-problem"]')).toBeNull();
    expect(button('reconnect-button')).toBeNull();
    expect(button('disconnect-button')?.getAttribute('aria-label')).toBe(
      'Disconnect @solo.studio',
    );
  });

  it('falls back to the initial when Meta’s picture link no longer loads', async () => {
    const { fixture, element } = await render(connectedWithInstagram);

    element.querySelector('img')?.dispatchEvent(new Event('error'));
    await fixture.whenStable();

    expect(element.querySelector('img')).toBeNull();
    expect(element.querySelector('.initial')?.textContent?.trim()).toBe('S');
  });

  it('names the Page of an account connected through Facebook, whose access does not expire', async () => {
    const { text } = await render(connectedThroughPage);

    expect(text('account-method')).toBe('Facebook Login');
    expect(text('account-page')).toBe('Blue Jacket Store');
    expect(text('account-expiry')).toBe('Access does not expire');
  });

  it('says plainly when an account needs reconnecting, with a Reconnect button', async () => {
    const { element, text, button } = await render(needingReconnect);

    expect(element.dataset['state']).toBe('needs_reconnect');
    expect(text('account-state')).toBe('Reconnect needed');
    // What stops is replying: deliveries Meta still sends keep being stored.
    expect(text('account-problem')).toContain(
      'replies can’t be sent from here until you reconnect',
    );
    expect(text('account-problem')).not.toContain('not arriving');
    // The stored reason is the same sentence in other words: said once.
    expect(text('account-problem')).not.toContain(
      needingReconnect.lastError as string,
    );
    // Its token's date means nothing once Meta refused the token.
    expect(text('account-expiry')).toBe(
      'Refused by Meta: reconnect to restore it',
    );
    expect(button('reconnect-button')?.textContent?.trim()).toBe(
      'Reconnect @solo.studio',
    );
    expect(button('disconnect-button')).not.toBeNull();
  });

  it('emits reconnect and disconnect with the account, and holds reconnect while a sign-in opens', async () => {
    const fixture = TestBed.createComponent(AccountCard);
    const reconnected: InstagramAccountDto[] = [];
    const disconnected: InstagramAccountDto[] = [];
    fixture.componentInstance.reconnect.subscribe((a) => reconnected.push(a));
    fixture.componentInstance.disconnect.subscribe((a) => disconnected.push(a));
    fixture.componentRef.setInput('account', needingReconnect);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;

    element
      .querySelector<HTMLButtonElement>('[data-testid="reconnect-button"]')
      ?.click();
    element
      .querySelector<HTMLButtonElement>('[data-testid="disconnect-button"]')
      ?.click();
    fixture.componentRef.setInput('busy', true);
    await fixture.whenStable();

    expect(reconnected).toEqual([needingReconnect]);
    expect(disconnected).toEqual([needingReconnect]);
    expect(
      element.querySelector<HTMLButtonElement>(
        '[data-testid="reconnect-button"]',
      )?.disabled,
    ).toBe(true);
  });

  it('warns when a connected account is not receiving messages from Meta', async () => {
    const { text } = await render({
      ...connectedWithInstagram,
      webhookSubscribed: false,
    });

    expect(text('account-problem')).toContain(
      'Meta is not sending this account’s messages',
    );
  });

  it('flags access running out within a week', async () => {
    const { element } = await render({
      ...connectedWithInstagram,
      daysLeft: 1,
    });

    const expiry = element.querySelector('[data-testid="account-expiry"]');
    expect(expiry?.textContent).toContain('(1 day left)');
    expect(expiry?.classList).toContain('warning');
  });

  it('offers to connect a disconnected account again, says its history stays, and hides expiry', async () => {
    const { text, button } = await render({
      ...connectedWithInstagram,
      state: 'disconnected',
      tokenExpiresAt: null,
      daysLeft: null,
    });

    expect(text('account-state')).toBe('Disconnected');
    expect(button('disconnect-button')).toBeNull();
    expect(button('reconnect-button')?.textContent?.trim()).toBe(
      'Connect again',
    );
    expect(text('account-expiry')).toBeUndefined();
  });

  it('says why an account cannot be reconnected when the server no longer offers its login method', async () => {
    const { fixture, text, button } = await render(needingReconnect);
    fixture.componentRef.setInput('canReconnect', false);
    await fixture.whenStable();

    expect(button('reconnect-button')).toBeNull();
    expect(text('reconnect-unavailable')).toContain(
      'This server no longer offers',
    );
    expect(button('disconnect-button')).not.toBeNull();
  });
});
