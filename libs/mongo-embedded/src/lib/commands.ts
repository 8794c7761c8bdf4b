import { Document } from 'bson';
import { Catalog } from './catalog';
import { aggregateCommands } from './commands/aggregate';
import { collectionCommands } from './commands/collections';
import {
  assertSimpleCollation,
  CommandContext,
  CommandHandlers,
  commandName,
} from './commands/command-handler';
import { explain } from './commands/explain';
import { findCommands } from './commands/find';
import { handshakeCommands, noTransactions } from './commands/handshake';
import { indexCommands } from './commands/indexes';
import { writeCommands } from './commands/writes';
import { CursorManager } from './cursor-manager';
import { commandNotFound, toServerError } from './errors';

// The wire server (server.ts) takes the dispatcher, its context type and the message size limit from here.
export type { CommandContext } from './commands/command-handler';
export { MAX_MESSAGE_SIZE } from './commands/handshake';

/** Commands that change data: the server waits for them to be durable before replying. */
const WRITE_COMMANDS = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'createIndexes',
  'dropIndexes',
  'deleteIndexes',
  'create',
  'drop',
  'dropDatabase',
]);

/**
 * Runs commands against the catalog. Every statement runs from start to end without another
 * command's writes in between; a multi-statement write started with `yieldAfterMs` may let other
 * commands run between two of its statements (as mongod does), never inside one. Durability is
 * awaited by the caller. The handlers live in commands/, one file per command family.
 */
export class CommandDispatcher {
  private readonly handlers: CommandHandlers;

  constructor(catalog: Catalog, cursors: CursorManager) {
    this.handlers = {
      ...handshakeCommands(Date.now()),
      ...writeCommands(catalog),
      ...findCommands(catalog, cursors),
      ...aggregateCommands(catalog, cursors),
      ...indexCommands(catalog, cursors),
      ...collectionCommands(catalog, cursors),
      explain: (c, ctx) => explain(catalog, c, ctx),
    };
  }

  isWrite(cmd: Document): boolean {
    return WRITE_COMMANDS.has(commandName(cmd));
  }

  /** Runs one command to its end and returns its reply; failures become `{ok: 0, code, errmsg}` replies. */
  run(cmd: Document, ctx: CommandContext): Document {
    const reply = this.start({ ...ctx, yieldAfterMs: undefined }, cmd);
    if (reply instanceof Promise)
      throw new Error(
        'mongo-embedded: a command yielded although not allowed to',
      );
    return reply;
  }

  /**
   * Runs one command; with `ctx.yieldAfterMs`, a long multi-statement write answers with a promise
   * after letting other commands run between its statements (see eachStatement).
   */
  start(ctx: CommandContext, cmd: Document): Document | Promise<Document> {
    const name = commandName(cmd);
    try {
      if (
        cmd['txnNumber'] !== undefined ||
        cmd['startTransaction'] !== undefined ||
        cmd['autocommit'] !== undefined
      )
        throw noTransactions();
      const handler = Object.prototype.hasOwnProperty.call(this.handlers, name)
        ? this.handlers[name]
        : undefined;
      if (!handler) throw commandNotFound(name);
      assertSimpleCollation(cmd['collation']);
      const reply = handler(cmd, ctx);
      return reply instanceof Promise
        ? reply.catch((err: unknown) => toServerError(err).toReply())
        : reply;
    } catch (err) {
      return toServerError(err).toReply();
    }
  }
}
