import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ConversationDto, MessageDto } from '@instantchat/contracts';
import { RealtimeService } from '../../../../core/realtime/realtime.service';
import { SESSION_STORAGE } from '../../../../core/session/session-storage';
import { Clock } from '../../../../ui/relative-time/clock';
import { FakeRealtime } from '../../../../../testing/fake-realtime';
import {
  grace,
  instagramConversation,
  localConversation,
  me,
  memoryStorage,
  message,
  session,
} from '../../../../../testing/fixtures';
import { DRAFT_STORAGE } from '../../state/drafts.state';
import { INBOX_STATE_PROVIDERS } from '../../state/inbox-state.providers';
import { ConversationPage } from './conversation.page';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-20T12:00:00.000Z');

describe('ConversationPage: the reply window and retrying a failed reply', () => {
  let http: HttpTestingController;
  const now = signal(NOW);

  async function open(
    conversation: ConversationDto,
    history: MessageDto[] = [],
  ) {
    now.set(NOW);
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        ...INBOX_STATE_PROVIDERS,
        { provide: RealtimeService, useValue: new FakeRealtime() },
        { provide: SESSION_STORAGE, useValue: memoryStorage(session()) },
        { provide: DRAFT_STORAGE, useValue: memoryStorage() },
        { provide: Clock, useValue: { now } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ConversationPage);
    fixture.componentRef.setInput('conversationId', conversation.id);
    // Nothing unread, so opening it asks for no read receipt.
    http
      .expectOne('/api/conversations')
      .flush([{ ...conversation, unreadCount: 0 }]);
    await fixture.whenStable();
    http
      .expectOne(
        (req) => req.url === `/api/conversations/${conversation.id}/messages`,
      )
      .flush({ items: [...history].reverse(), nextCursor: null });
    await fixture.whenStable();
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  afterEach(() => http.verify());

  const windowOf = (element: HTMLElement) =>
    element.querySelector<HTMLElement>('[data-testid="reply-window"]');
  const composerOf = (element: HTMLElement) =>
    element.querySelector<HTMLTextAreaElement>('[data-testid="message-input"]');
  const closesIn = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

  it('shows the time left above the composer, and ages with the clock into "closing soon"', async () => {
    const { fixture, element } = await open(
      instagramConversation('c-ig', {
        windowClosesAt: closesIn(5 * HOUR + 20 * 60_000),
        windowHumanAgent: false,
      }),
    );

    expect(windowOf(element)?.textContent).toContain(
      'Reply window closes in 5 h',
    );
    expect(windowOf(element)?.dataset['state']).toBe('open');
    expect(composerOf(element)?.disabled).toBe(false);

    now.set(new Date(NOW.getTime() + 4 * HOUR + 50 * 60_000));
    await fixture.whenStable();

    expect(windowOf(element)?.textContent).toContain(
      'Reply window closes in 30 min',
    );
    expect(windowOf(element)?.dataset['state']).toBe('closing');
    expect(composerOf(element)?.disabled).toBe(false);
  });

  it('disables the composer with the reason once the window has closed, also when it closes on screen', async () => {
    const { fixture, element } = await open(
      instagramConversation('c-ig', {
        windowClosesAt: closesIn(60_000),
        windowHumanAgent: false,
      }),
    );
    expect(composerOf(element)?.disabled).toBe(false);

    now.set(new Date(NOW.getTime() + 2 * 60_000));
    await fixture.whenStable();

    const reason =
      'You can reply after the customer writes again — Instagram allows replies within 24 h of their last message.';
    expect(windowOf(element)?.dataset['state']).toBe('closed');
    expect(windowOf(element)?.textContent).toContain(reason);
    expect(composerOf(element)?.disabled).toBe(true);
    expect(composerOf(element)?.placeholder).toBe(
      'You can reply after the customer writes again',
    );
    expect(
      element.querySelector<HTMLButtonElement>('[data-testid="send-button"]')
        ?.disabled,
    ).toBe(true);
  });

  it('says when the server replies as a human agent, and gives the 7-day reason once that closes', async () => {
    const { fixture, element } = await open(
      instagramConversation('c-ig', {
        windowClosesAt: closesIn(3 * 24 * HOUR + HOUR),
        windowHumanAgent: true,
      }),
    );

    expect(windowOf(element)?.dataset['state']).toBe('human-agent');
    expect(windowOf(element)?.textContent).toContain(
      'Replying as a human agent',
    );
    expect(windowOf(element)?.textContent).toContain('Closes in 3 days');
    expect(composerOf(element)?.disabled).toBe(false);

    now.set(new Date(NOW.getTime() + 4 * 24 * HOUR));
    await fixture.whenStable();

    expect(composerOf(element)?.disabled).toBe(true);
    expect(windowOf(element)?.textContent).toContain(
      'You can reply after the customer writes again — Instagram allows human-agent replies within 7 days of their last message.',
    );
  });

  it('within the first 24 hours a human agent’s window reads like the standard one', async () => {
    const { element } = await open(
      instagramConversation('c-ig', {
        windowClosesAt: closesIn(6 * 24 * HOUR + 20 * HOUR),
        windowHumanAgent: true,
      }),
    );
    expect(windowOf(element)?.dataset['state']).toBe('open');
    expect(windowOf(element)?.textContent).toContain(
      'Reply window closes in 6 days',
    );
  });

  it('explains that a customer who never wrote cannot be answered yet', async () => {
    const { element } = await open(
      instagramConversation('c-ig', { windowClosesAt: null }),
    );
    expect(windowOf(element)?.dataset['state']).toBe('not-started');
    expect(windowOf(element)?.textContent).toContain(
      'Instagram only allows replies to people who messaged the account',
    );
    expect(composerOf(element)?.disabled).toBe(true);
  });

  it('says a conversation that does not exist (or is not the caller’s) is not there, with no retry and no composer', async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        ...INBOX_STATE_PROVIDERS,
        { provide: RealtimeService, useValue: new FakeRealtime() },
        { provide: SESSION_STORAGE, useValue: memoryStorage(session()) },
        { provide: DRAFT_STORAGE, useValue: memoryStorage() },
        { provide: Clock, useValue: { now } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ConversationPage);
    fixture.componentRef.setInput('conversationId', '000000000000000000000000');
    const notFound = [
      {
        statusCode: 404,
        error: 'Not Found',
        message: 'Conversation not found',
      },
      { status: 404, statusText: 'Not Found' },
    ] as const;
    http.expectOne('/api/conversations').flush([]);
    await fixture.whenStable();
    // Not in the list: asked for by itself, then its history.
    http
      .expectOne('/api/conversations/000000000000000000000000')
      .flush(...notFound);
    await fixture.whenStable();
    http
      .expectOne(
        (req) =>
          req.url === '/api/conversations/000000000000000000000000/messages',
      )
      .flush(...notFound);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;

    expect(
      element.querySelector('[data-testid="conversation-missing"]')
        ?.textContent,
    ).toContain('doesn’t exist, or it isn’t one of yours');
    expect(
      element.querySelector('[data-testid="conversation-header"]')?.textContent,
    ).toContain('Conversation not found');
    expect(composerOf(element)).toBeNull();
    expect(element.querySelector('[data-testid="messages-error"]')).toBeNull();
    expect(
      element.querySelector('a[href="/inbox"].button')?.textContent,
    ).toContain('Back to conversations');
  });

  it('has no reply window in a local conversation', async () => {
    const { element } = await open(localConversation('c-grace', grace));
    expect(windowOf(element)).toBeNull();
    expect(composerOf(element)?.disabled).toBe(false);
  });

  it('holds an Instagram reply to Instagram’s length limit, and a local message to InstantChat’s', async () => {
    const typeInto = async (
      element: HTMLElement,
      fixture: { whenStable: () => Promise<unknown> },
      text: string,
    ) => {
      const field = composerOf(element) as HTMLTextAreaElement;
      field.value = text;
      field.dispatchEvent(new Event('input'));
      await fixture.whenStable();
      return element.querySelector('[data-testid="composer-too-long"]')
        ?.textContent;
    };
    const instagram = await open(
      instagramConversation('c-ig', { windowClosesAt: closesIn(HOUR * 3) }),
    );
    expect(
      await typeInto(instagram.element, instagram.fixture, 'x'.repeat(1_001)),
    ).toContain('1 over Instagram’s 1,000 limit');
    TestBed.resetTestingModule();

    const local = await open(localConversation('c-grace', grace));
    expect(
      await typeInto(local.element, local.fixture, 'x'.repeat(1_001)),
    ).toBeUndefined();
  });

  it('sends a failed reply again through the API when Retry is pressed, and shows where it stands', async () => {
    const failed = message(
      'm-1',
      'c-ig',
      me.id,
      'Your order ships today',
      '2026-11-20T11:30:00.000Z',
      {
        status: 'failed',
        error: 'Instagram refused this message.',
        deliveryError: {
          code: 10,
          subcode: 2534022,
          title: 'Message not sent',
          userMessage: 'This message is sent outside of allowed window.',
          mayHaveBeenDelivered: false,
        },
      },
    );
    const { fixture, element } = await open(
      instagramConversation('c-ig', { windowClosesAt: closesIn(HOUR * 3) }),
      [failed],
    );
    const bubble = () =>
      element.querySelector<HTMLElement>('[data-testid="message-bubble"]');
    expect(bubble()?.dataset['status']).toBe('failed');
    expect(
      element.querySelector('[data-testid="message-error"]')?.textContent,
    ).toBe('This message is sent outside of allowed window.');

    element
      .querySelector<HTMLButtonElement>('[data-testid="retry-message"]')
      ?.click();
    const request = http.expectOne(
      '/api/conversations/c-ig/messages/m-1/retry',
    );
    expect(request.request.method).toBe('POST');
    await fixture.whenStable();
    expect(
      element.querySelector<HTMLButtonElement>('[data-testid="retry-message"]')
        ?.disabled,
    ).toBe(true);
    request.flush({
      ...failed,
      status: 'sent',
      error: null,
      deliveryError: null,
    });
    await fixture.whenStable();

    expect(bubble()?.dataset['status']).toBe('sent');
    expect(
      element.querySelector('[data-testid="delivery-failure"]'),
    ).toBeNull();
  });

  it('shows why the API refused a retry, and keeps the message failed', async () => {
    const failed = message(
      'm-1',
      'c-ig',
      me.id,
      'Still there?',
      '2026-11-20T11:30:00.000Z',
      {
        status: 'failed',
        error: 'Instagram refused this message.',
        deliveryError: { mayHaveBeenDelivered: false },
      },
    );
    const { fixture, element } = await open(
      instagramConversation('c-ig', { windowClosesAt: closesIn(HOUR) }),
      [failed],
    );

    element
      .querySelector<HTMLButtonElement>('[data-testid="retry-message"]')
      ?.click();
    http.expectOne('/api/conversations/c-ig/messages/m-1/retry').flush(
      {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message:
          'Instagram’s messaging window with this contact closed at 2026-11-20T11:59:00.000Z; they must write again before you can reply',
        code: 'window_closed',
      },
      { status: 422, statusText: 'Unprocessable Entity' },
    );
    await fixture.whenStable();

    expect(
      element.querySelector('[data-testid="retry-error"]')?.textContent,
    ).toContain('messaging window with this contact closed');
    expect(
      element.querySelector<HTMLElement>('[data-testid="message-bubble"]')
        ?.dataset['status'],
    ).toBe('failed');
    expect(
      element.querySelector<HTMLButtonElement>('[data-testid="retry-message"]')
        ?.disabled,
    ).toBe(false);
  });
});
