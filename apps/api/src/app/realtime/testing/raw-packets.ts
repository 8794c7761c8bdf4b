import type { SocketAck } from '@instantchat/contracts';
import type { Socket } from 'socket.io-client';

/**
 * Sends a client event whose arguments are given as raw JSON text, bypassing socket.io-client's
 * encoder: hostile payloads (5,000-deep arrays) would overflow the test's own JSON.stringify, and
 * a real attacker is not limited by any client library either.
 */
export function emitRawEvent(
  socket: Socket,
  event: string,
  ...argumentsJson: string[]
): void {
  socket.io.engine.send(`2${eventArray(event, argumentsJson)}`);
}

let nextAckId = 1_000_000;

/** Like `emitRawEvent`, asking for an ack; resolves with the ack's first argument. */
export function emitRawEventWithAck(
  socket: Socket,
  event: string,
  argumentsJson: string[],
  timeoutMs = 2_000,
): Promise<SocketAck<unknown>> {
  const ackId = nextAckId++;
  const engine = socket.io.engine;
  return new Promise((resolve, reject) => {
    const onMessage = (data: unknown) => {
      // An ack in the main namespace: `3<id>[...]`.
      if (typeof data !== 'string' || !data.startsWith(`3${ackId}[`)) return;
      clearTimeout(timer);
      engine.off('message', onMessage);
      resolve(
        (
          JSON.parse(data.slice(`3${ackId}`.length)) as unknown[]
        )[0] as SocketAck<unknown>,
      );
    };
    const timer = setTimeout(() => {
      engine.off('message', onMessage);
      reject(new Error(`No ack for ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    engine.on('message', onMessage);
    engine.send(`2${ackId}${eventArray(event, argumentsJson)}`);
  });
}

/** `true` wrapped in `depth` arrays, as JSON text: 5,000 deep is about 10 KB. */
export function nestedArrayJson(depth: number): string {
  return `${'['.repeat(depth)}true${']'.repeat(depth)}`;
}

function eventArray(event: string, argumentsJson: string[]): string {
  return `[${[JSON.stringify(event), ...argumentsJson].join(',')}]`;
}
