import type {
  Browser,
  BrowserContext,
  Locator,
  Page,
  ViewportSize,
} from 'playwright-core';
import {
  type Conversation,
  type Person,
  conversationsOf,
  markRead,
  openConversation,
  registerPerson,
  sendMessage,
} from './support/api-client';
import {
  baseUrl,
  keepSignedIn,
  launchBrowser,
  readmeScreenshot,
  screenshot,
} from './support/browser';

const DESKTOP: ViewportSize = { width: 1280, height: 800 };
const PHONE: ViewportSize = { width: 390, height: 844 };
const VIEWPORTS: [string, ViewportSize][] = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
];
/** The README's pictures (readmeScreenshot): small, at a size that reads on GitHub. */
const README_VIEWPORT: ViewportSize = { width: 1100, height: 680 };

/**
 * Finding one's way in a busy inbox (issue 12): opening at the first unread message, history that
 * loads while scrolling up, search over people and messages, list filters, a draft thread that
 * creates nothing until sent, and the alerts a person can switch on and off.
 */
describe('Finding things in the inbox', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const runId = `${Date.now().toString(36)}f`;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
  });

  async function newPage(
    person: Person,
    viewport: ViewportSize = DESKTOP,
    initScript?: () => void,
  ): Promise<Page> {
    const context = await browser.newContext({ baseURL: baseUrl(), viewport });
    contexts.push(context);
    await keepSignedIn(context, person);
    if (initScript) {
      await context.addInitScript(initScript);
    }
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  const messageRow = (page: Page, text: string) =>
    page.getByTestId('message').filter({
      has: page.getByTestId('message-text').getByText(text, { exact: true }),
    });
  const rowOf = (page: Page, name: string) =>
    page.getByTestId('conversation-item').filter({ hasText: name });
  const isScrolledToBottom = (list: Locator) =>
    list.evaluate(
      (element) =>
        element.scrollHeight - element.scrollTop - element.clientHeight < 4,
    );
  /** Whether the element is inside the scrolling list's visible area. */
  const isInView = async (list: Locator, element: Locator) => {
    const view = await list.boundingBox();
    const box = await element.boundingBox();
    return (
      !!view &&
      !!box &&
      box.y >= view.y - 1 &&
      box.y + box.height <= view.y + view.height + 1
    );
  };

  async function history(
    from: Person,
    conversation: Conversation,
    count: number,
    label: string,
  ): Promise<void> {
    for (let line = 1; line <= count; line++) {
      await sendMessage(from, conversation.id, `${label} ${line}`);
    }
  }

  it.each(VIEWPORTS)(
    'opens a conversation at the first unread message under a "New messages" divider, with "Jump to latest" (%s)',
    async (name, viewport) => {
      const agent = await registerPerson(`Una Agent ${name}`, runId);
      const customer = await registerPerson(`Vic Customer ${name}`, runId);
      const chat = await openConversation(agent, customer);
      await history(agent, chat, 5, 'Read before');
      await history(customer, chat, 45, 'Unread');

      const page = await newPage(agent, viewport);
      await page.goto(`/inbox/${chat.id}`);
      const list = page.getByTestId('message-list');
      const divider = page.getByTestId('unread-divider');
      await divider.waitFor();

      // All 45 unread are loaded (more than one default page), the divider sits above the first.
      const afterDivider = await page.evaluate(() => {
        const marker = document.querySelector('[data-testid="unread-divider"]');
        let next = marker?.nextElementSibling;
        while (next && next.getAttribute('data-testid') !== 'message') {
          next = next.nextElementSibling;
        }
        return (
          next
            ?.querySelector('[data-testid="message-text"]')
            ?.textContent?.trim() ?? ''
        );
      });
      expect(afterDivider).toBe('Unread 1');
      expect(await isInView(list, divider)).toBe(true);
      expect(await isInView(list, messageRow(page, 'Unread 1'))).toBe(true);
      expect(await isScrolledToBottom(list)).toBe(false);
      if (name === 'desktop') {
        await page.setViewportSize(README_VIEWPORT);
        await divider.evaluate((node) => node.scrollIntoView());
        await readmeScreenshot(page, 'inbox-unread-divider');
        await page.setViewportSize(viewport);
      }

      await page.getByTestId('jump-to-latest').click();
      expect(await isScrolledToBottom(list)).toBe(true);
      await page.getByTestId('jump-to-latest').waitFor({ state: 'detached' });
      expect(await isInView(list, messageRow(page, 'Unread 45'))).toBe(true);
      // Opening marked it read.
      // Opening marked it read.
      for (let attempt = 0; attempt < 20; attempt++) {
        const [listed] = await conversationsOf(agent);
        if (listed.unreadCount === 0) break;
        await page.waitForTimeout(100);
      }
      expect((await conversationsOf(agent))[0].unreadCount).toBe(0);
    },
  );

  it('loads older history as the person scrolls up, without a click', async () => {
    const agent = await registerPerson('Wes Agent', runId);
    const customer = await registerPerson('Xia Customer', runId);
    const chat = await openConversation(agent, customer);
    await history(agent, chat, 75, 'Old line');

    const page = await newPage(agent);
    await page.goto(`/inbox/${chat.id}`);
    const list = page.getByTestId('message-list');
    await messageRow(page, 'Old line 75').waitFor();
    expect(await messageRow(page, 'Old line 1').count()).toBe(0);

    for (let attempt = 0; attempt < 10; attempt++) {
      if ((await messageRow(page, 'Old line 1').count()) > 0) break;
      await list.evaluate((element) => element.scrollTo({ top: 0 }));
      await page.waitForTimeout(300);
    }
    await messageRow(page, 'Old line 1').waitFor();
    expect(await page.getByTestId('message').count()).toBe(75);
  });

  it('opens a draft thread for someone new: nothing reaches their inbox until the first message, which creates the conversation', async () => {
    const agent = await registerPerson('Yan Agent', runId);
    const newcomer = await registerPerson(`Zed Newcomer`, runId);
    const page = await newPage(agent);
    await page.goto('/inbox');
    await page.getByTestId('new-conversation-button').click();
    await page.getByTestId('user-search').fill('Zed Newcomer');
    await page
      .getByTestId('user-result')
      .filter({ hasText: 'Zed Newcomer' })
      .click();

    await page.getByTestId('draft-note').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/inbox/new/${newcomer.user.id}`);
    await page.waitForFunction(
      () =>
        document.activeElement?.getAttribute('data-testid') === 'message-input',
    );
    expect(await conversationsOf(newcomer)).toEqual([]);
    expect(await conversationsOf(agent)).toEqual([]);

    await page.getByTestId('message-input').fill('Welcome aboard, Zed!');
    await page.getByTestId('message-input').press('Enter');

    await messageRow(page, 'Welcome aboard, Zed!').waitFor();
    await page.waitForURL(/\/inbox\/[0-9a-f]{24}$/);
    const theirs = await conversationsOf(newcomer);
    expect(theirs).toHaveLength(1);
    expect(theirs[0].lastMessage?.text).toBe('Welcome aboard, Zed!');
    expect(theirs[0].id).toBe(new URL(page.url()).pathname.split('/').pop());
    await rowOf(page, 'Zed Newcomer').waitFor();
  });

  it.each(VIEWPORTS)(
    'searches people and messages, and opens a message hit in its conversation at that message (%s)',
    async (name, viewport) => {
      const agent = await registerPerson(`Quinn Agent ${name}`, runId);
      const customer = await registerPerson(`Rosalía Shopper ${name}`, runId);
      const other = await registerPerson(`Sam Other ${name}`, runId);
      const stranger = await registerPerson(`Tess Stranger ${name}`, runId);
      const chat = await openConversation(customer, agent);
      await sendMessage(customer, chat.id, 'My parcel to Zanzibar never came');
      await history(customer, chat, 70, 'Filler');
      await openConversation(agent, other);
      const elsewhere = await openConversation(stranger, other);
      await sendMessage(
        stranger,
        elsewhere.id,
        'Zanzibar is not for the agent',
      );

      const page = await newPage(agent, viewport);
      await page.goto('/inbox');
      await rowOf(page, `Rosalía Shopper ${name}`).waitFor();
      await page.getByTestId('inbox-search').fill('zanzi');

      const hit = page.getByTestId('search-message-hit');
      await hit.first().waitFor();
      expect(await hit.count()).toBe(1);
      expect(await hit.innerText()).toContain('My parcel to Zanzibar');
      expect(await hit.innerText()).toContain(`Rosalía Shopper ${name}`);

      await page.getByTestId('inbox-search').fill('rosalia');
      await page
        .getByTestId('search-conversation-hit')
        .filter({ hasText: `Rosalía Shopper ${name}` })
        .waitFor();
      expect(await page.getByTestId('search-conversation-hit').count()).toBe(1);

      await page.getByTestId('inbox-search').fill('parcel zanzibar');
      await hit.filter({ hasText: 'My parcel' }).waitFor();
      if (name === 'desktop') {
        await page.setViewportSize(README_VIEWPORT);
        await readmeScreenshot(page, 'inbox-search-results');
        await page.setViewportSize(viewport);
      }
      await hit.first().click();

      const list = page.getByTestId('message-list');
      const found = messageRow(page, 'My parcel to Zanzibar never came');
      await found.waitFor();
      expect(await found.getAttribute('class')).toContain('focused');
      await page.waitForFunction(() => {
        const row = document.querySelector('[data-testid="message"].focused');
        const view = document
          .querySelector('[data-testid="message-list"]')
          ?.getBoundingClientRect();
        const box = row?.getBoundingClientRect();
        return (
          !!box && !!view && box.top >= view.top && box.bottom <= view.bottom
        );
      });
      expect(await isScrolledToBottom(list)).toBe(false);
      await screenshot(page, `finding-search-hit-${name}`);
    },
  );

  it('filters the list to unread conversations', async () => {
    const agent = await registerPerson('Pia Agent', runId);
    const quiet = await registerPerson('Olaf Quiet', runId);
    const talker = await registerPerson('Nina Talker', runId);
    await openConversation(agent, quiet);
    const busy = await openConversation(talker, agent);
    await sendMessage(talker, busy.id, 'Unanswered question');

    const page = await newPage(agent);
    await page.goto('/inbox');
    await rowOf(page, 'Olaf Quiet').waitFor();
    await page.locator('[data-filter="unread"]').click();
    await rowOf(page, 'Olaf Quiet').waitFor({ state: 'detached' });
    expect(await page.getByTestId('conversation-item').count()).toBe(1);
    await rowOf(page, 'Nina Talker').waitFor();
    expect(
      await page.locator('[data-filter="unread"]').getAttribute('aria-pressed'),
    ).toBe('true');

    await page.locator('[data-filter="local"]').click();
    await rowOf(page, 'Olaf Quiet').waitFor();
    await page.locator('[data-filter="all"]').click();
    expect(await page.getByTestId('conversation-item').count()).toBe(2);
  });

  it('switches desktop notifications (asking permission only then), sound and the unread count in the title, remembered across a reload', async () => {
    const agent = await registerPerson('Mia Agent', runId);
    const customer = await registerPerson('Leo Customer', runId);
    const other = await registerPerson('Kai Other', runId);
    const withCustomer = await openConversation(customer, agent);
    const withOther = await openConversation(other, agent);
    await sendMessage(other, withOther.id, 'Earlier note');

    const page = await newPage(agent, DESKTOP, () => {
      const calls = { permission: 0, shown: [] as string[], tones: 0 };
      (window as unknown as { alertCalls: typeof calls }).alertCalls = calls;
      class FakeNotification {
        static permission = 'default';
        static async requestPermission() {
          calls.permission += 1;
          FakeNotification.permission = 'granted';
          return 'granted';
        }
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          calls.shown.push(`${title}: ${options?.body ?? ''}`);
        }
        close() {
          // nothing to close
        }
      }
      class FakeAudioContext {
        currentTime = 0;
        destination = {};
        createOscillator() {
          calls.tones += 1;
          return {
            frequency: { value: 0 },
            connect: (next: unknown) => next,
            start: () => undefined,
            stop: () => undefined,
          };
        }
        createGain() {
          return {
            gain: {
              setValueAtTime: () => undefined,
              exponentialRampToValueAtTime: () => undefined,
            },
            connect: (next: unknown) => next,
          };
        }
      }
      Object.assign(window, {
        Notification: FakeNotification,
        AudioContext: FakeAudioContext,
      });
    });
    const calls = () =>
      page.evaluate(
        () =>
          (
            window as unknown as {
              alertCalls: {
                permission: number;
                shown: string[];
                tones: number;
              };
            }
          ).alertCalls,
      );
    await page.goto(`/inbox/${withOther.id}`);
    await messageRow(page, 'Earlier note').waitFor();
    expect((await calls()).permission).toBe(0);

    await page.getByTestId('settings-button').click();
    await page.getByTestId('setting-notifications').check();
    await page.getByTestId('setting-sound').check();
    expect((await calls()).permission).toBe(1);

    await sendMessage(customer, withCustomer.id, 'Is my order shipped?');
    await page.waitForFunction(() =>
      /^\(1\) Kai Other · InstantChat$/.test(document.title),
    );
    await page.waitForFunction(
      () =>
        (window as unknown as { alertCalls: { shown: string[] } }).alertCalls
          .shown.length === 1,
    );
    expect((await calls()).shown).toEqual([
      'Leo Customer: Is my order shipped?',
    ]);
    expect((await calls()).tones).toBeGreaterThan(0);

    await page.getByTestId('setting-title').uncheck();
    await page.waitForFunction(
      () => document.title === 'Kai Other · InstantChat',
    );

    await page.reload();
    await messageRow(page, 'Earlier note').waitFor();
    await page.getByTestId('settings-button').click();
    expect(await page.getByTestId('setting-notifications').isChecked()).toBe(
      true,
    );
    expect(await page.getByTestId('setting-sound').isChecked()).toBe(true);
    expect(await page.getByTestId('setting-title').isChecked()).toBe(false);
    expect(await page.title()).toBe('Kai Other · InstantChat');
  });

  it('shows a grouped thread with its day separators (README picture)', async () => {
    const agent = await registerPerson('Ivy Agent', runId);
    const customer = await registerPerson('Hugo Customer', runId);
    const chat = await openConversation(customer, agent);
    const lines: [Person, string][] = [
      [customer, 'Hi! I ordered the blue jacket on Monday.'],
      [customer, 'Order #4521, it says delivered but nothing came.'],
      [agent, 'Sorry to hear that, Hugo. Let me check with the courier.'],
      [
        agent,
        'The courier left it at the parcel shop: https://example.com/track/4521',
      ],
      [customer, 'Found it, thank you!'],
      [agent, 'Great. Anything else I can help with?'],
    ];
    for (const [who, text] of lines) {
      await sendMessage(who, chat.id, text);
    }
    await markRead(agent, chat.id);
    const page = await newPage(agent, README_VIEWPORT);
    // The API stamps messages with the time they are sent; to picture a thread spanning days, the
    // history the browser receives is shifted back (the layout code under it is the real one).
    await page.route(
      /\/api\/conversations\/[0-9a-f]{24}\/messages/,
      async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as {
          items: { createdAt: string; text: string }[];
        };
        // By message, not by position: a catch-up's answer holds only some of them.
        const daysBack = [2, 2, 1, 1, 0, 0];
        body.items.forEach((item) => {
          const line = lines.findIndex(([, text]) => text === item.text);
          const shift = (daysBack[line] ?? 0) * 86_400_000;
          item.createdAt = new Date(
            Date.parse(item.createdAt) - shift,
          ).toISOString();
        });
        await route.fulfill({ response, json: body });
      },
    );
    await page.goto(`/inbox/${chat.id}`);
    await messageRow(page, 'Great. Anything else I can help with?').waitFor();
    expect(await page.getByTestId('day-separator').count()).toBe(3);
    await readmeScreenshot(page, 'inbox-grouped-thread');
  });

  it('raised no errors in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
