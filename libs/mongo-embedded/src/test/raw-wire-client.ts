/**
 * A client that speaks the wire protocol byte by byte, for tests that must send what no driver
 * would: lying lengths, truncated sections, unknown opCodes. Loopback only.
 */
import { BSON, Document } from 'bson';
import * as net from 'node:net';
import { OP_MSG } from '../lib/wire-protocol';

/** An OP_MSG with one body section, built exactly as a driver builds it. */
export function opMsg(body: Document, requestId = 1, flags = 0): Buffer {
  const bson = Buffer.from(BSON.serialize(body));
  const out = Buffer.alloc(21 + bson.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(0, 8);
  out.writeInt32LE(OP_MSG, 12);
  out.writeUInt32LE(flags, 16);
  out[20] = 0;
  bson.copy(out, 21);
  return out;
}

/** The body document of an OP_MSG reply. */
export function replyBody(reply: Buffer): Document {
  return BSON.deserialize(reply.subarray(21));
}

export interface RawExchange {
  /** Everything the server sent back. */
  received: Buffer;
  /** Whether the server closed the connection within the wait. */
  closedByServer: boolean;
}

/**
 * Sends `bytes` on a fresh connection and collects what comes back until the server closes the
 * connection or `waitMs` passes, whichever is first; then closes it from this side.
 */
export function sendRaw(
  port: number,
  bytes: Buffer,
  waitMs = 300,
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), closedByServer });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close while we are still writing: that is an answer, not a test failure.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish(true);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.write(bytes);
  });
}

/** Opens a connection and leaves it open; the caller destroys it. */
export function openSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when `socket` is closed (by either side), or rejects after `timeoutMs`. */
export function closed(socket: net.Socket, timeoutMs: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`socket still open after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** `{ping: 1}` on a fresh connection; rejects unless `{ok: 1}` arrives within `timeoutMs`. */
export async function ping(port: number, timeoutMs = 2_000): Promise<void> {
  const socket = await openSocket(port);
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const timer = setTimeout(
        () => reject(new Error(`no ping reply within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 4 && got.length >= got.readInt32LE(0)) {
          clearTimeout(timer);
          resolve(got.subarray(0, got.readInt32LE(0)));
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        reject(new Error('connection closed before the ping reply'));
      });
      socket.write(opMsg({ ping: 1, $db: 'admin' }, 42));
    });
    const body = replyBody(reply);
    if (body['ok'] !== 1)
      throw new Error(`ping answered ${JSON.stringify(body)}`);
  } finally {
    socket.destroy();
  }
}
