import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ConversationListItem } from './conversation-list-item';
import { ConversationList } from './conversation-list';

describe('ConversationList', () => {
  const items: ConversationListItem[] = [
    {
      id: 'c-ig',
      kind: 'instagram',
      title: 'Cleo Customer',
      initial: 'C',
      preview: 'Do you ship to Lisbon?',
      lastMessageAt: new Date().toISOString(),
      unreadCount: 2,
      isActive: false,
      account: { id: '17841400000000002', label: '@shop_two' },
      showAccount: true,
    },
    {
      id: 'c-grace',
      kind: 'local',
      title: 'Grace Hopper',
      initial: 'G',
      preview: 'You: See you at 3',
      lastMessageAt: '2026-01-02T09:00:00.000Z',
      unreadCount: 0,
      isActive: true,
      showAccount: true,
    },
  ];

  async function render(inputs: {
    items?: ConversationListItem[];
    status?: string;
    error?: string | null;
    emptyState?: { message: string; action: 'start' | 'connect' | 'show-all' };
  }) {
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
    const fixture = TestBed.createComponent(ConversationList);
    fixture.componentRef.setInput('items', inputs.items ?? []);
    fixture.componentRef.setInput('status', inputs.status ?? 'ready');
    fixture.componentRef.setInput('error', inputs.error ?? null);
    if (inputs.emptyState) {
      fixture.componentRef.setInput('emptyState', inputs.emptyState);
    }
    await fixture.whenStable();
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  it('shows each conversation with its preview, time and link', async () => {
    const { element } = await render({ items });
    const rows = element.querySelectorAll('[data-testid="conversation-item"]');

    expect(rows).toHaveLength(2);
    expect(
      rows[0].querySelector('[data-testid="conversation-title"]')?.textContent,
    ).toBe('Cleo Customer');
    expect(
      rows[0].querySelector('[data-testid="conversation-preview"]')
        ?.textContent,
    ).toBe('Do you ship to Lisbon?');
    expect(rows[0].querySelector('time')?.textContent?.trim()).toBe('just now');
    expect(rows[0].getAttribute('href')).toBe('/inbox/c-ig');
  });

  it('marks Instagram conversations with a badge and the Instagram style', async () => {
    const { element } = await render({ items });
    const [instagram, local] = Array.from(
      element.querySelectorAll('[data-testid="conversation-item"]'),
    );

    expect(instagram.classList).toContain('instagram');
    expect(
      instagram.querySelector('[data-testid="instagram-badge"]')?.textContent,
    ).toBe('Instagram');
    expect(local.classList).toContain('local');
    expect(local.querySelector('[data-testid="instagram-badge"]')).toBeNull();
  });

  it('names the receiving account of an Instagram conversation', async () => {
    const { element } = await render({ items });
    const accounts = element.querySelectorAll(
      '[data-testid="conversation-account"]',
    );
    expect(Array.from(accounts, (a) => a.textContent?.trim())).toEqual([
      'to @shop_two',
    ]);
    TestBed.resetTestingModule();
    const single = await render({
      items: [{ ...items[0], showAccount: false }],
    });
    expect(
      single.element.querySelector('[data-testid="conversation-account"]'),
    ).toBeNull();
  });

  it('offers to connect Instagram, or to show everything, when a filter leaves nothing', async () => {
    const connect = await render({
      emptyState: {
        message: 'No Instagram conversations yet.',
        action: 'connect',
      },
    });
    const empty = connect.element.querySelector(
      '[data-testid="conversation-list-empty"]',
    );
    expect(empty?.textContent).toContain('No Instagram conversations yet.');
    expect(
      connect.element
        .querySelector('[data-testid="empty-connect-instagram"]')
        ?.getAttribute('href'),
    ).toBe('/instagram');
    TestBed.resetTestingModule();

    const { element, fixture } = await render({
      emptyState: { message: 'You are all caught up.', action: 'show-all' },
    });
    let showAll = false;
    fixture.componentInstance.showAll.subscribe(() => (showAll = true));
    (
      element.querySelector(
        '[data-testid="empty-show-all"]',
      ) as HTMLButtonElement
    ).click();
    expect(showAll).toBe(true);
  });

  it('shows the unread count only where there is something unread', async () => {
    const { element } = await render({ items });
    const badges = element.querySelectorAll('[data-testid="unread-badge"]');
    expect(badges).toHaveLength(1);
    expect(badges[0].textContent?.replace(/\s+/g, ' ').trim()).toBe('2 unread');
  });

  it('marks the open conversation as the current page', async () => {
    const { element } = await render({ items });
    expect(
      element
        .querySelector('[aria-current="page"]')
        ?.getAttribute('data-conversation-id'),
    ).toBe('c-grace');
  });

  it('has loading, empty and error states', async () => {
    expect(
      (await render({ status: 'loading' })).element.querySelector(
        '[data-testid="conversation-list-loading"]',
      ),
    ).not.toBeNull();
    TestBed.resetTestingModule();
    expect(
      (await render({ items: [] })).element.querySelector(
        '[data-testid="conversation-list-empty"]',
      ),
    ).not.toBeNull();
    TestBed.resetTestingModule();
    const { element, fixture } = await render({
      status: 'error',
      error: 'Could not load your conversations.',
    });
    let retried = false;
    fixture.componentInstance.retry.subscribe(() => (retried = true));
    const error = element.querySelector(
      '[data-testid="conversation-list-error"]',
    );
    expect(error?.textContent).toContain('Could not load your conversations.');
    (error?.querySelector('button') as HTMLButtonElement).click();
    expect(retried).toBe(true);
  });
});
