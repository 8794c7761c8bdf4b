import type {
  Browser,
  BrowserContext,
  Locator,
  Page,
  ViewportSize,
} from 'playwright-core';
import {
  seriousAccessibilityViolations,
  structureViolations,
} from './support/accessibility';
import {
  type Conversation,
  type Person,
  conversationsOf,
  markRead,
  openConversation,
  registerPerson,
  sendMessage,
  storedMessages,
} from './support/api-client';
import { baseUrl, launchBrowser, screenshot } from './support/browser';
import { eventually } from './support/eventually';
import {
  dropConnection,
  restoreConnection,
  trackWebSockets,
} from './support/socket-control';

const DESKTOP: ViewportSize = { width: 1280, height: 800 };
const PHONE: ViewportSize = { width: 390, height: 844 };
const VIEWPORTS: [string, ViewportSize][] = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
];

/**
 * The inbox as a support agent lives in it all day (issue 12): drafts, a connection indicator
 * that tells the truth, scrolling, sends that survive a flaky network, errors that say so, and
 * the small things (focus, right-to-left text, title, favicon, touch targets, accessibility).
 * People and conversations are set up through the REST API; everything asserted goes through the
 * built dashboard in Chromium.
 */
describe('The inbox, as a support agent uses it', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const runId = Date.now().toString(36);
  let ada: Person;
  let bob: Person;
  let carol: Person;
  let adaBob: Conversation;
  let adaCarol: Conversation;

  beforeAll(async () => {
    browser = await launchBrowser();
    ada = await registerPerson('Ada Agent', runId);
    bob = await registerPerson('Bob Buyer', runId);
    carol = await registerPerson('Carol Customer', runId);
    adaBob = await openConversation(ada, bob);
    adaCarol = await openConversation(ada, carol);
    await sendMessage(bob, adaBob.id, 'Hello, I have a question');
    // Enough history that the thread scrolls at both widths.
    for (let line = 1; line <= 30; line++) {
      await sendMessage(carol, adaCarol.id, `Carol line ${line}`);
    }
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
  });

  async function newPage(
    person: Person | null,
    viewport: ViewportSize = DESKTOP,
  ): Promise<Page> {
    const context = await browser.newContext({ baseURL: baseUrl(), viewport });
    contexts.push(context);
    await trackWebSockets(context);
    if (person) {
      const session = { accessToken: person.accessToken, user: person.user };
      // Signed in as the dashboard itself would remember it; the login form has its own test.
      await context.addInitScript((stored) => {
        if (!localStorage.getItem('instantchat.session')) {
          localStorage.setItem('instantchat.session', stored);
        }
      }, JSON.stringify(session));
    }
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  async function openThread(page: Page, conversation: Conversation) {
    await page.goto(`/inbox/${conversation.id}`);
    await page.getByTestId('messages-loading').waitFor({ state: 'detached' });
    await page.getByTestId('message-list').waitFor();
  }

  const composer = (page: Page) => page.getByTestId('message-input');
  const header = (page: Page, name: string) =>
    page.getByTestId('conversation-header').filter({ hasText: name });
  const rowOf = (page: Page, name: string) =>
    page.getByTestId('conversation-item').filter({ hasText: name });
  const messageText = (page: Page, text: string) =>
    page.getByTestId('message-text').filter({ hasText: text });
  const messageWithStatus = (page: Page, text: string, status: string) =>
    page
      .locator(`[data-testid="message"][data-status="${status}"]`)
      .filter({ hasText: text });
  const connectionStatus = (page: Page, status: string) =>
    page.locator(`[data-testid="connection-status"][data-status="${status}"]`);
  const isScrolledToBottom = (list: Locator) =>
    list.evaluate(
      (element) =>
        element.scrollHeight - element.scrollTop - element.clientHeight < 4,
    );
  const scrollToTop = async (list: Locator) => {
    await list.evaluate((element) => element.scrollTo({ top: 0 }));
    // Let the scroll event land before the next step depends on it.
    await list.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => done(null))),
    );
  };

  it('keeps a draft with its own conversation, across a reload, and clears it on send', async () => {
    const page = await newPage(ada);
    await openThread(page, adaBob);
    await composer(page).fill('Half-written answer for Bob');

    await rowOf(page, 'Carol Customer').click();
    await header(page, 'Carol Customer').waitFor();
    expect(await composer(page).inputValue()).toBe('');
    expect(await page.getByTestId('send-button').isDisabled()).toBe(true);
    await composer(page).fill('Note for Carol');

    await page.reload();
    await header(page, 'Carol Customer').waitFor();
    expect(await composer(page).inputValue()).toBe('Note for Carol');
    await rowOf(page, 'Bob Buyer').click();
    await header(page, 'Bob Buyer').waitFor();
    expect(await composer(page).inputValue()).toBe(
      'Half-written answer for Bob',
    );
    await screenshot(page, 'inbox-01-draft-restored');

    await composer(page).press('Enter');
    await messageWithStatus(
      page,
      'Half-written answer for Bob',
      'sent',
    ).waitFor();
    expect(await composer(page).inputValue()).toBe('');
    await page.reload();
    await header(page, 'Bob Buyer').waitFor();
    expect(await composer(page).inputValue()).toBe('');
  });

  it('shows the connection as lost within seconds of the network dropping, and live again when it is back', async () => {
    const page = await newPage(ada);
    await page.goto('/inbox');
    await connectionStatus(page, 'connected').waitFor();

    const droppedAt = Date.now();
    await page.context().setOffline(true);
    await connectionStatus(page, 'offline').waitFor({ timeout: 5_000 });
    expect(Date.now() - droppedAt).toBeLessThan(5_000);
    await screenshot(page, 'inbox-02-offline');

    await page.context().setOffline(false);
    await connectionStatus(page, 'connected').waitFor({ timeout: 10_000 });
  });

  it('sends a message that failed while offline once the connection is back, exactly once', async () => {
    const page = await newPage(ada);
    await openThread(page, adaBob);
    await connectionStatus(page, 'connected').waitFor();
    await dropConnection(page);

    await composer(page).fill('Sent from the tunnel');
    await composer(page).press('Enter');
    await messageWithStatus(page, 'Sent from the tunnel', 'failed').waitFor();
    await screenshot(page, 'inbox-03-failed-offline');

    await restoreConnection(page);
    await messageWithStatus(page, 'Sent from the tunnel', 'sent').waitFor({
      timeout: 15_000,
    });
    const stored = await storedMessages(bob, adaBob.id);
    expect(
      stored.filter((message) => message.text === 'Sent from the tunnel'),
    ).toHaveLength(1);
  });

  it('says so when a conversation cannot be opened because the server is down, and opens it on retry', async () => {
    const page = await newPage(ada);
    await page.goto('/inbox');
    await rowOf(page, 'Bob Buyer').waitFor();

    // The server is gone: neither the conversation's code nor its data can be fetched.
    await page.route('**/*', (route) => route.abort('connectionrefused'));
    await rowOf(page, 'Bob Buyer').click();
    const failure = page.getByTestId('navigation-error');
    await failure.waitFor({ timeout: 5_000 });
    expect(await failure.innerText()).toMatch(/server cannot be reached/i);
    await screenshot(page, 'inbox-04-server-down');

    await page.unroute('**/*');
    await page.getByTestId('navigation-retry').click();
    await header(page, 'Bob Buyer').waitFor();
    await failure.waitFor({ state: 'detached' });

    // With the page's code loaded, a failing API still says so, with a way to try again.
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await rowOf(page, 'Carol Customer').click();
    await page.getByTestId('messages-error').waitFor();
    await page.unroute('**/api/**');
    await page
      .getByTestId('messages-error')
      .getByRole('button', { name: 'Try again' })
      .click();
    await messageText(page, 'Carol line 30').waitFor();
  });

  it('keeps a 5,000-character paste whole, explains the limit, and says pictures are not supported yet', async () => {
    const page = await newPage(ada);
    await openThread(page, adaBob);
    await composer(page).focus();
    await page.keyboard.insertText('y'.repeat(5_000));

    expect(await composer(page).inputValue()).toHaveLength(5_000);
    const tooLong = page.getByTestId('composer-too-long');
    expect(await tooLong.innerText()).toContain('1,000 over the 4,000 limit');
    expect(await page.getByTestId('send-button').isDisabled()).toBe(true);
    await screenshot(page, 'inbox-05-too-long');

    await composer(page).fill('');
    await composer(page).evaluate((field) => {
      const clipboard = new DataTransfer();
      clipboard.items.add(
        new File([new Uint8Array([137, 80, 78, 71])], 'screenshot.png', {
          type: 'image/png',
        }),
      );
      field.dispatchEvent(
        new ClipboardEvent('paste', {
          clipboardData: clipboard,
          bubbles: true,
          cancelable: true,
        }),
      );
    });
    expect(
      await page.getByTestId('attachment-not-supported').innerText(),
    ).toMatch(/can’t be sent yet/);
  });

  it('puts focus in the composer after picking a person, and offers a skip link', async () => {
    const page = await newPage(ada);
    await page.goto('/inbox');
    await page.getByTestId('new-conversation-button').click();
    await page.getByTestId('user-search').fill('Carol');
    await page
      .getByTestId('user-result')
      .filter({ hasText: 'Carol Customer' })
      .click();
    await header(page, 'Carol Customer').waitFor();
    await page.waitForFunction(
      () =>
        document.activeElement?.getAttribute('data-testid') === 'message-input',
    );

    await page.reload();
    await header(page, 'Carol Customer').waitFor();
    await page.keyboard.press('Tab');
    const skipLink = page.getByRole('link', { name: 'Skip to conversation' });
    expect(
      await skipLink.evaluate((link) => link === document.activeElement),
    ).toBe(true);
    expect(await skipLink.isVisible()).toBe(true);
    await screenshot(page, 'inbox-06-skip-link');
    await page.keyboard.press('Enter');
    expect(
      await composer(page).evaluate(
        (field) => field === document.activeElement,
      ),
    ).toBe(true);
  });

  it('lays out right-to-left text right-to-left in names, bubbles and previews', async () => {
    const hebrew = 'שלום, ההזמנה שלי לא הגיעה';
    await sendMessage(bob, adaBob.id, hebrew);
    const page = await newPage(ada);
    await openThread(page, adaBob);

    const direction = (locator: Locator) =>
      locator.evaluate((element) => getComputedStyle(element).direction);
    const bubble = messageText(page, hebrew);
    await bubble.waitFor();
    expect(await bubble.getAttribute('dir')).toBe('auto');
    expect(await direction(bubble)).toBe('rtl');
    const preview = rowOf(page, 'Bob Buyer').getByTestId(
      'conversation-preview',
    );
    expect(await preview.getAttribute('dir')).toBe('auto');
    expect(await direction(preview)).toBe('rtl');
    expect(
      await rowOf(page, 'Bob Buyer')
        .getByTestId('conversation-title')
        .getAttribute('dir'),
    ).toBe('auto');
    expect(await direction(messageText(page, 'Hello, I have a question'))).toBe(
      'ltr',
    );
  });

  it('groups a sender’s messages under one avatar, separates days and renders links safely', async () => {
    await sendMessage(ada, adaBob.id, 'How can I help?');
    await sendMessage(bob, adaBob.id, 'First of two');
    await sendMessage(
      bob,
      adaBob.id,
      'Docs: https://example.com/help?x=1 and <b>not bold</b><img src=x onerror=alert(1)>',
    );
    for (const [name, viewport] of VIEWPORTS) {
      const page = await newPage(ada, viewport);
      await openThread(page, adaBob);
      const row = (text: string) =>
        page.getByTestId('message').filter({ hasText: text });
      await row('Docs:').waitFor();

      expect(
        await page.getByTestId('day-separator').first().innerText(),
      ).toMatch(/Today/);
      expect(
        (
          await row('First of two').getByTestId('message-avatar').innerText()
        ).trim(),
      ).toBe('BB');
      expect(
        (await row('Docs:').getByTestId('message-avatar').innerText()).trim(),
      ).toBe('');

      const link = messageText(page, 'Docs:').getByRole('link');
      expect(await link.getAttribute('href')).toBe(
        'https://example.com/help?x=1',
      );
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await messageText(page, 'Docs:').locator('b, img').count()).toBe(
        0,
      );
      expect(await messageText(page, 'Docs:').innerText()).toContain(
        '<b>not bold</b>',
      );
      await screenshot(page, `inbox-07-grouped-thread-${name}`);
    }
  });

  it.each(VIEWPORTS)(
    'offers a "new messages" cue when scrolled up, and brings the person down on their own send (%s)',
    async (name, viewport) => {
      const page = await newPage(ada, viewport);
      await openThread(page, adaCarol);
      const list = page.getByTestId('message-list');
      await messageText(page, 'Carol line 30').waitFor();
      await page.waitForFunction(() => {
        const element = document.querySelector('[data-testid="message-list"]');
        return (
          !!element &&
          element.scrollHeight - element.scrollTop - element.clientHeight < 4
        );
      });
      await scrollToTop(list);

      await sendMessage(carol, adaCarol.id, `Arrived while reading (${name})`);
      const cue = page.getByTestId('new-messages-cue');
      await cue.waitFor();
      expect(await isScrolledToBottom(list)).toBe(false);
      await screenshot(page, `inbox-08-new-messages-cue-${name}`);

      await cue.click();
      await messageText(page, `Arrived while reading (${name})`).waitFor();
      expect(await isScrolledToBottom(list)).toBe(true);
      await cue.waitFor({ state: 'detached' });

      await scrollToTop(list);
      await composer(page).fill(`My own reply (${name})`);
      await composer(page).press('Enter');
      await messageText(page, `My own reply (${name})`).waitFor();
      await page.waitForFunction(() => {
        const element = document.querySelector('[data-testid="message-list"]');
        return (
          !!element &&
          element.scrollHeight - element.scrollTop - element.clientHeight < 4
        );
      });
    },
  );

  it('has an InstantChat favicon and a title naming the open conversation with the unread count', async () => {
    const page = await newPage(ada);
    await openThread(page, adaBob);

    // Resolved by the browser against <base href>, as it fetches the icon itself.
    const href = await page
      .locator('link[rel="icon"]')
      .evaluate((link) => (link as HTMLLinkElement).href);
    expect(new URL(href).pathname).toBe('/favicon.svg');
    const icon = await page.request.get(href);
    expect(icon.ok()).toBe(true);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
    expect(await icon.text()).toContain(
      '<title id="title">InstantChat</title>',
    );

    await page.waitForFunction(() =>
      document.title.startsWith('Bob Buyer · InstantChat'),
    );
    // From someone whose conversation no page has open: Ada's earlier pages still show Carol's, and
    // an open conversation is read as its messages arrive (on a fast machine, within ~100 ms).
    const dora = await registerPerson('Dora Donor', runId);
    const adaDora = await openConversation(dora, ada);
    await sendMessage(dora, adaDora.id, 'Are you there?');
    await page.waitForFunction(() =>
      /^\(\d+\) Bob Buyer · InstantChat$/.test(document.title),
    );
  });

  it.each(VIEWPORTS)(
    'keeps what came while the tab was hidden unread, then shows it under "New messages" (%s)',
    async (name, viewport) => {
      // Someone only this test writes with: no other page has the conversation open.
      const erin = await registerPerson(`Erin Evening ${name}`, runId);
      const adaErin = await openConversation(erin, ada);
      // Enough history that the thread scrolls at both widths.
      for (let line = 1; line <= 20; line++) {
        await sendMessage(erin, adaErin.id, `Erin line ${line}`);
      }
      await sendMessage(erin, adaErin.id, 'Morning!');
      // Read already (elsewhere): the conversation opens with no divider.
      await markRead(ada, adaErin.id);
      const page = await newPage(ada, viewport);
      await openThread(page, adaErin);
      await messageText(page, 'Morning!').waitFor();
      await connectionStatus(page, 'connected').waitFor();
      const unreadOnServer = async () =>
        (await conversationsOf(ada)).find(
          (conversation) => conversation.id === adaErin.id,
        )?.unreadCount;
      // The person switches to another tab (headless Chromium keeps every page visible: the
      // document says what a browser would, and tells the page as a browser does).
      const showTab = (state: 'hidden' | 'visible') =>
        page.evaluate((next) => {
          Object.defineProperty(document, 'visibilityState', {
            configurable: true,
            get: () => next,
          });
          document.dispatchEvent(new Event('visibilitychange'));
        }, state);
      // The title counts unread messages of every conversation (Ada has others from this suite).
      const titleCount = () =>
        page.evaluate(() => {
          const match = /^(?:\((\d+)\) )?Erin Evening/.exec(document.title);
          return match ? Number(match[1] ?? 0) : null;
        });
      const before = await eventually(
        async () => (await titleCount()) ?? undefined,
        () => 'the title never named the open conversation',
      );
      await showTab('hidden');

      await sendMessage(erin, adaErin.id, 'Are you still open?');
      await messageText(page, 'Are you still open?').waitFor();
      await eventually(
        async () => ((await titleCount()) === before + 1 ? true : undefined),
        () => 'the hidden tab’s title never counted the message',
      );
      expect(await unreadOnServer()).toBe(1);
      expect(await page.getByTestId('unread-divider').count()).toBe(0);

      await showTab('visible');
      await page.getByTestId('unread-divider').waitFor();
      // The divider sits between what was read and what came while the tab was hidden (a day
      // separator may stand between them near midnight).
      const order = await page.evaluate(() => {
        const rows = Array.from(document.querySelectorAll('ol.messages > li'));
        const at = (predicate: (row: Element) => boolean) =>
          rows.findIndex(predicate);
        return [
          at((row) => row.textContent?.includes('Morning!') ?? false),
          at((row) => row.getAttribute('data-testid') === 'unread-divider'),
          at(
            (row) => row.textContent?.includes('Are you still open?') ?? false,
          ),
        ];
      });
      expect(order[0]).toBeGreaterThanOrEqual(0);
      expect(order[0] < order[1] && order[1] < order[2]).toBe(true);
      await eventually(
        async () => ((await unreadOnServer()) === 0 ? true : undefined),
        () => 'showing the tab never marked the conversation read',
      );
      await eventually(
        async () => ((await titleCount()) === before ? true : undefined),
        () => 'the title still counted the message once it was read',
      );
      await screenshot(page, `inbox-10-shown-again-${name}`);

      // Reading further up when they left, the person is not pulled away on coming back: the
      // cue says there is news below.
      const list = page.getByTestId('message-list');
      await scrollToTop(list);
      await showTab('hidden');
      await sendMessage(erin, adaErin.id, 'One more thing');
      await messageText(page, 'One more thing').waitFor({ state: 'attached' });
      await showTab('visible');
      await page.getByTestId('new-messages-cue').waitFor();
      await eventually(
        async () => ((await unreadOnServer()) === 0 ? true : undefined),
        () => 'showing the tab again never marked the conversation read',
      );
      expect(await list.evaluate((element) => element.scrollTop)).toBe(0);
    },
  );

  it('gives the phone’s back button a touch target of at least 44 × 44 px', async () => {
    const page = await newPage(ada, PHONE);
    await openThread(page, adaBob);
    const back = page.getByRole('link', { name: 'Back to conversations' });
    const box = await back.boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(44);
    expect(box?.height).toBeGreaterThanOrEqual(44);
  });

  it.each(VIEWPORTS)(
    'has no serious or critical accessibility violations on sign-in, inbox, thread and dialog (%s)',
    async (name, viewport) => {
      const guest = await newPage(null, viewport);
      await guest.goto('/login');
      await guest.getByTestId('submit-button').waitFor();
      expect(await seriousAccessibilityViolations(guest)).toEqual([]);

      const page = await newPage(ada, viewport);
      await page.goto('/inbox');
      await rowOf(page, 'Bob Buyer').waitFor();
      await connectionStatus(page, 'connected').waitFor();
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      // On a phone the list and the thread are each a screen of their own: each has both.
      expect(await structureViolations(page)).toEqual([]);

      await rowOf(page, 'Bob Buyer').click();
      await messageText(page, 'First of two').waitFor();
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      expect(await structureViolations(page)).toEqual([]);

      if (name === 'phone') {
        await page.getByRole('link', { name: 'Back to conversations' }).click();
      }
      await page.getByTestId('new-conversation-button').click();
      await page.getByTestId('user-result').first().waitFor();
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await screenshot(page, `inbox-09-dialog-${name}`);
    },
  );

  it('raised no errors in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
