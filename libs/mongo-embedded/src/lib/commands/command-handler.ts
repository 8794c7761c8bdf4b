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
}

/** A command handler: synchronous, so a command runs without another command's writes in between. */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document;

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
