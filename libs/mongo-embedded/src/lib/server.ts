import type { Document } from 'bson';
import * as net from 'node:net';
import {
  CommandContext,
  CommandDispatcher,
  MAX_MESSAGE_SIZE,
} from './commands';
import { toServerError } from './errors';
import {
  decodeMessage,
  encodeOpMsg,
  encodeOpReply,
  IncomingCommand,
  OP_QUERY,
  readHeader,
} from './wire-protocol';

/** Something that makes the writes applied so far durable (the journal), or nothing in memory-only mode. */
export interface WriteDurability {
  flush(): Promise<void>;
}

/**
 * The TCP side: frames messages, hands each command to the dispatcher and writes the reply.
 * Each connection answers its requests in order; commands from all connections run one at a time
 * because the dispatcher is synchronous.
 */
export class WireServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;

  constructor(
    private readonly dispatcher: CommandDispatcher,
    private readonly durability: WriteDurability | undefined,
    private readonly log: (msg: string) => void,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) =>
      this.server.close(() => resolve()),
    );
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const connectionId = this.nextConnectionId++;
    const ctxBase = {
      connectionId,
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
    };
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let queue: Promise<void> = Promise.resolve();

    socket.on('data', (chunk: Buffer) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= 4) {
        if (pending[0].length < 4) pending = [Buffer.concat(pending)];
        const length = pending[0].readInt32LE(0);
        if (length < 16 || length > MAX_MESSAGE_SIZE) {
          this.log(
            `closing connection ${connectionId}: invalid message length ${length}`,
          );
          socket.destroy();
          return;
        }
        // Concatenate only once the whole message has arrived (a large insert comes in many chunks).
        if (pendingBytes < length) break;
        const buf =
          pending.length === 1
            ? pending[0]
            : Buffer.concat(pending, pendingBytes);
        const message = buf.subarray(0, length);
        const rest = buf.subarray(length);
        pending = rest.length > 0 ? [rest] : [];
        pendingBytes = rest.length;
        queue = queue
          .then(() => this.handle(socket, message, ctxBase))
          .catch((err) => {
            this.log(
              `connection ${connectionId}: ${(err as Error).stack ?? err}`,
            );
            socket.destroy();
          });
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async handle(
    socket: net.Socket,
    message: Buffer,
    ctxBase: Omit<CommandContext, 'db'>,
  ): Promise<void> {
    let request: IncomingCommand;
    let reply: Document;
    try {
      request = decodeMessage(message);
    } catch (err) {
      const header = readHeader(message);
      const body = toServerError(err).toReply();
      if (!socket.destroyed)
        socket.write(
          header.opCode === OP_QUERY
            ? encodeOpReply(header.requestId, body)
            : encodeOpMsg(header.requestId, body),
        );
      return;
    }
    const isWrite = this.dispatcher.isWrite(request.command);
    reply = this.dispatcher.run(request.command, {
      ...ctxBase,
      db: request.db,
    });
    if (isWrite && this.durability) {
      try {
        await this.durability.flush();
      } catch (err) {
        reply = toServerError(err).toReply();
      }
    }
    if (request.noReply || socket.destroyed) return;
    const out =
      request.kind === 'query'
        ? encodeOpReply(request.header.requestId, reply)
        : encodeOpMsg(request.header.requestId, reply);
    socket.write(out);
  }
}
