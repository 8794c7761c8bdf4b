import { Document } from 'bson';
import { isPlainObject } from '../bson-values';
import { toQueryView } from '../mingo-adapter/query-view';
import type { Collection } from '../collection';
import { badValue, MongoServerError } from '../errors';

/** Who sent a command and to which database. */
export interface CommandContext {
  db: string;
  connectionId: number;
  remoteAddress: string;
  /**
   * Set by the wire server: a write command of many statements that has run this long lets the
   * event loop run before its next statement (see eachStatement). Unset, every command answers
   * synchronously.
   */
  yieldAfterMs?: number;
}

/**
 * A command handler. A statement always runs without another command's writes in between; only a
 * multi-statement write given `ctx.yieldAfterMs` may answer with a promise, having let other
 * commands run between two of its statements.
 */
export type CommandHandler = (
  cmd: Document,
  ctx: CommandContext,
) => Document | Promise<Document>;

/** The handlers of one command family, by command name. */
export type CommandHandlers = Record<string, CommandHandler>;

/** A command's name: its first field. */
export function commandName(cmd: Document): string {
  return Object.keys(cmd)[0] ?? '';
}

/** The collection a command names in its `name` field (73 InvalidNamespace unless a non-empty string). */
export function collectionName(cmd: Document, name: string): string {
  const v = cmd[name];
  if (typeof v !== 'string' || v.length === 0)
    throw new MongoServerError(
      73,
      'InvalidNamespace',
      `collection name has invalid type ${typeof v}`,
    );
  return v;
}

/**
 * A hint must name an existing index (by name or key pattern) or `$natural`, as mongod requires.
 * Results never depend on the plan here, so a valid hint needs no further action.
 */
export function assertHintExists(
  coll: Collection | undefined,
  hint: unknown,
): void {
  if (hint === undefined || hint === null || !coll) return;
  if (
    typeof hint === 'string' &&
    (hint === '$natural' || coll.indexSpecs().some((s) => s.name === hint))
  )
    return;
  if (isPlainObject(hint)) {
    const keys = Object.keys(hint);
    if (keys.length === 0 || (keys.length === 1 && keys[0] === '$natural'))
      return;
    const wanted = JSON.stringify(toQueryView(hint));
    if (coll.indexSpecs().some((s) => JSON.stringify(s.key) === wanted)) return;
  }
  throw badValue(
    `error processing query: ns=${coll.ns} planner returned error :: caused by :: hint provided does not correspond to an existing index`,
  );
}

export function assertSimpleCollation(collation: unknown): void {
  if (isPlainObject(collation) && collation['locale'] !== 'simple')
    throw badValue(
      'collation is not supported by mongo-embedded (only { locale: "simple" })',
    );
}

/**
 * Runs `step(i)` for each statement of a write command, in order, until it returns false. Given
 * `ctx.yieldAfterMs`, once the command has run that long since it last yielded it lets the event
 * loop turn (other connections' commands, the journal's I/O) before its next statement, as mongod
 * interleaves other operations between the statements of a bulk write: a bulk of hundreds of
 * updates no longer stalls every other client of the process for its whole length. Each statement
 * still applies atomically, and the command is acknowledged only once all of it is durable (the
 * wire server flushes after the returned promise settles). Returns `finish()`, or a promise of it
 * once it has yielded.
 */
export function eachStatement(
  count: number,
  ctx: CommandContext,
  step: (index: number) => boolean,
  finish: () => Document,
): Document | Promise<Document> {
  const budget = ctx.yieldAfterMs;
  let i = 0;
  /** Runs statements until done (true) or until the budget is spent (false). */
  const slice = (): boolean => {
    const began = budget === undefined ? 0 : performance.now();
    while (i < count) {
      if (!step(i++)) {
        i = count;
        return true;
      }
      if (budget !== undefined && performance.now() - began >= budget)
        return i >= count;
    }
    return true;
  };
  if (slice()) return finish();
  return (async () => {
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (!slice());
    return finish();
  })();
}
