import * as net from 'node:net';
import {
  CommandContext,
  CommandDispatcher,
  MAX_MESSAGE_SIZE,
} from './commands';
import { failedToParse, toServerError } from './errors';
import {
  decodeMessageInSlices,
  IncomingCommand,
  MalformedMessageError,
  OP_QUERY,
  readHeader,
} from './wire-protocol';
import { encodeOpMsg, encodeOpReply } from './wire-replies';

/** Something that makes the writes applied so far durable (the journal), or nothing in memory-only mode. */
export interface WriteDurability {
  /** How many records have been appended so far: a command that moved it wrote something. */
  readonly appendedRecords: number;
  flush(): Promise<void>;
}

/**
 * What one client may cost the server. "In flight" counts the bytes of a message from its first
 * byte until its reply has been handed to the socket, so it covers messages still arriving and
 * complete ones waiting their turn.
 */
export interface ConnectionLimits {
  /** Open connections at most; a connection beyond it is closed as it arrives. */
  maxConnections: number;
  /**
   * Bytes in flight on one connection: a message declaring more is refused and the connection
   * closed; at the limit the connection is not read until its queued messages are answered.
   */
  maxBytesInFlightPerConnection: number;
  /** Bytes in flight over all connections: above it, the connection holding the most is closed. */
  maxBytesInFlightTotal: number;
  /** A connection that neither sends nor receives anything for this long is closed. */
  idleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  maxConnections: 1000,
  maxBytesInFlightPerConnection: MAX_MESSAGE_SIZE,
  maxBytesInFlightTotal: 2 * MAX_MESSAGE_SIZE,
  idleTimeoutMs: 10 * 60_000,
};

/** Fills in the defaults and refuses values that would disable a limit by accident. */
export function resolveConnectionLimits(
  given: Partial<ConnectionLimits> = {},
): ConnectionLimits {
  const limits = { ...DEFAULT_CONNECTION_LIMITS };
  for (const key of Object.keys(DEFAULT_CONNECTION_LIMITS) as Array<
    keyof ConnectionLimits
  >) {
    const value = given[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1)
      throw new TypeError(
        `mongo-embedded: limits.${key} must be a positive integer, got ${String(value)}`,
      );
    limits[key] = value;
  }
  return limits;
}

/**
 * How long a write command of many statements (a bulk of 500 updates, an insertMany of 2,000), or
 * the decoding of its message, runs before it lets other connections' commands run: the server
 * shares its process (and event loop) with the application, so one bulk must not hold every other
 * request for its whole length.
 */
const STATEMENTS_SLICE_MS = 2;

/** How long a connection closed for a protocol error may still drain our error reply. */
const CLOSE_GRACE_MS = 1_000;
/** Refused connections are reported at most this often, so a flood cannot flood the log too. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  readonly ctx: Omit<CommandContext, 'db'>;
  /** Chunks of the message still arriving (and the start of the next one, if any). */
  unfinished: Buffer[];
  unfinishedBytes: number;
  /** Complete messages received and not yet answered. */
  queuedBytes: number;
  queue: Promise<void>;
  /** Set once the server has decided to close it: nothing more is read or answered. */
  closing: boolean;
}

const bytesInFlight = (c: Connection) => c.unfinishedBytes + c.queuedBytes;

/**
 * The TCP side: frames messages, hands each command to the dispatcher and writes the reply.
 * Each connection answers its requests in order; commands from all connections run one at a time
 * (a long multi-statement write lets others run between its statements, see STATEMENTS_SLICE_MS).
 * No input may stop the server: a message that cannot be framed or decoded closes its connection
 * with a logged reason, and the limits above bound what any number of clients can make it hold in
 * memory.
 */
export class WireServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly limits: ConnectionLimits;
  private nextConnectionId = 1;
  private totalBytesInFlight = 0;
  private refusedSinceLog = 0;
  private lastRefusalLog = 0;

  constructor(
    private readonly dispatcher: CommandDispatcher,
    private readonly durability: WriteDurability | undefined,
    private readonly log: (msg: string) => void,
    limits: Partial<ConnectionLimits> = {},
  ) {
    this.limits = resolveConnectionLimits(limits);
    // Half-open: a client that shuts down its sending side still gets the answers to what it sent.
    this.server = net.createServer({ allowHalfOpen: true }, (socket) =>
      this.accept(socket),
    );
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
    for (const c of this.connections) c.socket.destroy();
    await closed;
  }

  /** Bytes received and not yet answered, over all connections (for tests and diagnostics). */
  get bytesInFlight(): number {
    return this.totalBytesInFlight;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: net.Socket): void {
    if (this.connections.size >= this.limits.maxConnections) {
      this.reportRefusal(socket);
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const id = this.nextConnectionId++;
    const conn: Connection = {
      id,
      socket,
      ctx: {
        connectionId: id,
        remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
      },
      unfinished: [],
      unfinishedBytes: 0,
      queuedBytes: 0,
      queue: Promise.resolve(),
      closing: false,
    };
    this.connections.add(conn);
    socket.setTimeout(this.limits.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      try {
        this.receive(conn, chunk);
      } catch (err) {
        // Framing reads only what it has checked; this is a last line, not an expected path.
        this.closeForError(conn, `unexpected error: ${(err as Error).message}`);
      }
    });
    socket.on('end', () => {
      // Nothing more will arrive: answer what is queued, then close this side too.
      void conn.queue.then(() => socket.end());
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.forget(conn));
  }

  private reportRefusal(socket: net.Socket): void {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.log(
      `refused ${this.refusedSinceLog} connection(s) (latest from ${socket.remoteAddress}:${socket.remotePort}): ` +
        `${this.limits.maxConnections} connections are open (limits.maxConnections)`,
    );
    this.refusedSinceLog = 0;
    this.lastRefusalLog = now;
  }

  private receive(conn: Connection, chunk: Buffer): void {
    if (conn.closing) return;
    conn.unfinished.push(chunk);
    conn.unfinishedBytes += chunk.length;
    this.totalBytesInFlight += chunk.length;
    const largest = Math.min(
      MAX_MESSAGE_SIZE,
      this.limits.maxBytesInFlightPerConnection,
    );
    while (conn.unfinishedBytes >= 4) {
      if (conn.unfinished[0].length < 4)
        conn.unfinished = [Buffer.concat(conn.unfinished)];
      const length = conn.unfinished[0].readInt32LE(0);
      if (length < 16 || length > largest) {
        this.closeForError(
          conn,
          `invalid message length ${length} (accepted: 16 to ${largest} bytes)`,
        );
        return;
      }
      // Concatenate only once the whole message has arrived (a large insert comes in many chunks).
      if (conn.unfinishedBytes < length) break;
      const buf =
        conn.unfinished.length === 1
          ? conn.unfinished[0]
          : Buffer.concat(conn.unfinished, conn.unfinishedBytes);
      const message = buf.subarray(0, length);
      const rest = buf.subarray(length);
      conn.unfinished = rest.length > 0 ? [rest] : [];
      conn.unfinishedBytes = rest.length;
      conn.queuedBytes += length;
      conn.queue = conn.queue
        .then(() => this.handle(conn, message))
        .catch((err) =>
          this.closeForError(conn, (err as Error).stack ?? String(err)),
        )
        .finally(() => this.answered(conn, length));
    }
    this.enforceTotalLimit();
    if (
      !conn.closing &&
      bytesInFlight(conn) > this.limits.maxBytesInFlightPerConnection
    )
      conn.socket.pause();
  }

  private answered(conn: Connection, length: number): void {
    if (!this.connections.has(conn)) return; // already released by forget()
    conn.queuedBytes -= length;
    this.totalBytesInFlight -= length;
    if (
      !conn.closing &&
      conn.socket.isPaused() &&
      bytesInFlight(conn) <= this.limits.maxBytesInFlightPerConnection
    )
      conn.socket.resume();
  }

  /** Closes the connections holding the most bytes until the total is back under the limit. */
  private enforceTotalLimit(): void {
    while (this.totalBytesInFlight > this.limits.maxBytesInFlightTotal) {
      let heaviest: Connection | undefined;
      for (const c of this.connections)
        if (!heaviest || bytesInFlight(c) > bytesInFlight(heaviest))
          heaviest = c;
      if (!heaviest || bytesInFlight(heaviest) === 0) return;
      this.closeForError(
        heaviest,
        `${this.totalBytesInFlight} bytes in flight over all connections exceed limits.maxBytesInFlightTotal ` +
          `(${this.limits.maxBytesInFlightTotal}); this connection held the most (${bytesInFlight(heaviest)})`,
      );
    }
  }

  /** Logs why, stops reading and answering, and releases what the connection held. */
  private closeForError(
    conn: Connection,
    reason: string,
    reply?: Buffer,
  ): void {
    if (conn.closing) return;
    this.log(
      `closing connection ${conn.id} from ${conn.ctx.remoteAddress}: ${reason}`,
    );
    conn.closing = true;
    this.forget(conn);
    const { socket } = conn;
    if (reply && !socket.destroyed) {
      socket.end(reply);
      socket.resume(); // discard whatever else it sends while the reply drains
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    } else socket.destroy();
  }

  private forget(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.totalBytesInFlight -= bytesInFlight(conn);
    conn.unfinished = [];
    conn.unfinishedBytes = 0;
    conn.queuedBytes = 0;
  }

  private async handle(conn: Connection, message: Buffer): Promise<void> {
    if (conn.closing) return;
    const { socket } = conn;
    let request: IncomingCommand;
    try {
      const decoding = decodeMessageInSlices(message, STATEMENTS_SLICE_MS);
      request = decoding instanceof Promise ? await decoding : decoding;
    } catch (err) {
      if (!(err instanceof MalformedMessageError)) throw err;
      const header = readHeader(message);
      const body = failedToParse(`malformed message: ${err.message}`).toReply();
      this.closeForError(
        conn,
        `malformed message (opCode ${header.opCode}): ${err.message}`,
        header.opCode === OP_QUERY
          ? encodeOpReply(header.requestId, body)
          : encodeOpMsg(header.requestId, body),
      );
      return;
    }
    if (conn.closing) return; // closed while a large message was being decoded
    const isWrite = this.dispatcher.isWrite(request.command);
    const appendedBefore = this.durability?.appendedRecords;
    const started = this.dispatcher.start(
      { ...conn.ctx, db: request.db, yieldAfterMs: STATEMENTS_SLICE_MS },
      request.command,
    );
    let reply = started instanceof Promise ? await started : started;
    // A write command waits even when it changed nothing: its answer (a duplicate key, nothing
    // matched) may rest on other writes not yet durable. Any other command that appended records
    // waits too, so no command list can let a change be acknowledged before it is on disk.
    if (
      this.durability &&
      (isWrite || this.durability.appendedRecords !== appendedBefore)
    ) {
      try {
        await this.durability.flush();
      } catch (err) {
        reply = toServerError(err).toReply();
      }
    }
    if (request.noReply || socket.destroyed || conn.closing) return;
    const out =
      request.kind === 'query'
        ? encodeOpReply(request.header.requestId, reply)
        : encodeOpMsg(request.header.requestId, reply);
    // A client that does not read its replies must not make the server buffer them without end:
    // the next request on this connection waits until this reply has drained.
    if (!socket.write(out)) await drained(socket);
  }
}

function drained(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
