import { TestBed } from '@angular/core/testing';
import type { TimelineEntry } from './timeline-entry';
import { MessageList } from './message-list';

describe('MessageList', () => {
  const entry = (overrides: Partial<TimelineEntry>): TimelineEntry => ({
    key: 'm-1',
    clientId: null,
    text: 'Hello',
    isDeleted: false,
    createdAt: '2026-11-20T10:00:00.000Z',
    isMine: false,
    senderName: 'Grace Hopper',
    status: 'sent',
    error: null,
    isFromInstagram: false,
    attachments: [],
    ...overrides,
  });

  async function render(
    entries: TimelineEntry[],
    inputs: Record<string, unknown> = {},
  ) {
    const fixture = TestBed.createComponent(MessageList);
    fixture.componentRef.setInput('conversationId', 'c-1');
    fixture.componentRef.setInput('entries', entries);
    fixture.componentRef.setInput('status', 'ready');
    for (const [name, value] of Object.entries(inputs)) {
      fixture.componentRef.setInput(name, value);
    }
    await fixture.whenStable();
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  const statuses = (element: HTMLElement) =>
    Array.from(element.querySelectorAll('[data-testid="message"]')).map(
      (message) =>
        message
          .querySelector('[data-testid="message-status"]')
          ?.textContent?.replace(/[\s·]+/g, ' ')
          .trim() ?? null,
    );

  it('shows status words under my latest message and anything not yet sent, not under every bubble', async () => {
    const { element } = await render([
      entry({ key: 'm-1', isMine: true, status: 'read' }),
      entry({ key: 'm-2', isMine: false }),
      entry({ key: 'm-3', isMine: true, status: 'delivered' }),
      entry({
        key: 'pending:1',
        clientId: '1',
        isMine: true,
        status: 'pending',
      }),
    ]);
    expect(statuses(element)).toEqual([null, null, 'Delivered', 'Sending…']);
  });

  it('offers retry and discard for a message that failed to send', async () => {
    const { element, fixture } = await render([
      entry({
        key: 'pending:7',
        clientId: '7',
        isMine: true,
        status: 'failed',
        error: 'Cannot reach the server.',
      }),
    ]);
    const retried: string[] = [];
    const discarded: string[] = [];
    fixture.componentInstance.retry.subscribe((id) => retried.push(id));
    fixture.componentInstance.discard.subscribe((id) => discarded.push(id));

    expect(
      element.querySelector('[data-testid="message-error"]')?.textContent,
    ).toBe('Cannot reach the server.');
    (
      element.querySelector(
        '[data-testid="retry-message"]',
      ) as HTMLButtonElement
    ).click();
    (
      Array.from(element.querySelectorAll('button')).find(
        (button) => button.textContent?.trim() === 'Discard',
      ) as HTMLButtonElement
    ).click();
    expect(retried).toEqual(['7']);
    expect(discarded).toEqual(['7']);
  });

  it('offers older messages only when there are more, and not twice at once', async () => {
    const { element, fixture } = await render([entry({})], { hasOlder: true });
    let requests = 0;
    fixture.componentInstance.loadOlder.subscribe(() => requests++);
    const button = element.querySelector(
      '[data-testid="load-older"]',
    ) as HTMLButtonElement;
    button.click();
    expect(requests).toBe(1);

    fixture.componentRef.setInput('loadingOlder', true);
    await fixture.whenStable();
    expect(button.disabled).toBe(true);

    fixture.componentRef.setInput('loadingOlder', false);
    fixture.componentRef.setInput('hasOlder', false);
    await fixture.whenStable();
    expect(element.querySelector('[data-testid="load-older"]')).toBeNull();
  });

  it('shows postbacks and referrals as centred system lines, not bubbles', async () => {
    const { element } = await render([
      entry({
        key: 'm-9',
        senderName: 'Cleo Customer',
        text: 'Tapped “Get started”',
        systemLine: 'Tapped “Get started”',
        channel: 'instagram',
      }),
    ]);
    expect(
      element
        .querySelector('[data-testid="system-line"]')
        ?.textContent?.replace(/\s+/g, ' '),
    ).toContain('Cleo Customer · Tapped “Get started”');
    expect(element.querySelector('[data-testid="message-bubble"]')).toBeNull();
  });

  it('names the sender of each message for screen readers', async () => {
    const { element } = await render([
      entry({ senderName: 'Grace Hopper', text: 'Hi' }),
    ]);
    expect(
      element.querySelector('[data-testid="message"] .visually-hidden')
        ?.textContent,
    ).toBe('Grace Hopper: ');
  });

  it('has loading, empty and error states', async () => {
    const loading = await render([], { status: 'loading' });
    expect(
      loading.element.querySelector('[data-testid="messages-loading"]'),
    ).not.toBeNull();
    const empty = await render([]);
    expect(
      empty.element.querySelector('[data-testid="messages-empty"]'),
    ).not.toBeNull();
    const failed = await render([], {
      status: 'error',
      error: 'Could not load this conversation.',
    });
    expect(
      failed.element.querySelector('[data-testid="messages-error"]')
        ?.textContent,
    ).toContain('Could not load this conversation.');
  });
});
