import type { BrowserContext, Page } from 'playwright-core';

interface SocketControl {
  openSocketCount(): number;
  closeAll(): void;
}

declare global {
  interface Window {
    __e2eSockets?: SocketControl;
  }
}

/**
 * Lets a test cut the page's live connection the way a flaky network does. Browser offline
 * emulation blocks new requests but leaves an open WebSocket alone, so the page's WebSockets are
 * tracked from the start and closed on demand while the context is offline.
 */
export async function trackWebSockets(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: WebSocket[] = [];
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
    window.__e2eSockets = {
      openSocketCount: () =>
        sockets.filter((socket) => socket.readyState === Native.OPEN).length,
      closeAll: () => sockets.forEach((socket) => socket.close()),
    };
  });
}

/** Takes the page offline and drops its live connection; returns once the drop happened. */
export async function dropConnection(page: Page): Promise<void> {
  // Socket.io starts on long-polling and upgrades; wait for the WebSocket so there is one to cut.
  await page.waitForFunction(
    () => (window.__e2eSockets?.openSocketCount() ?? 0) > 0,
  );
  await page.context().setOffline(true);
  await page.evaluate(() => window.__e2eSockets?.closeAll());
}

export async function restoreConnection(page: Page): Promise<void> {
  await page.context().setOffline(false);
}

/**
 * Everything the page's Socket.io connection receives (WebSocket frames and long-polling answers)
 * as text, from now on: what a person's browser was told, to show what it never heard.
 */
export function recordSocketTraffic(page: Page): string[] {
  const received: string[] = [];
  page.on('websocket', (socket) => {
    if (socket.url().includes('/socket.io/')) {
      socket.on('framereceived', (frame) =>
        received.push(String(frame.payload)),
      );
    }
  });
  page.on('response', (response) => {
    if (response.url().includes('/socket.io/')) {
      response.text().then(
        (text) => received.push(text),
        () => undefined,
      );
    }
  });
  return received;
}
