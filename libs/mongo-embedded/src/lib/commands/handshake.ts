import { Document, Long } from 'bson';
import { illegalOperation, MongoServerError } from '../errors';
import type { CommandContext, CommandHandlers } from './command-handler';

// What the server advertises: a standalone mongod 7.0.
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;
const MAX_WRITE_BATCH_SIZE = 100_000;
export const SERVER_VERSION = '7.0.0';

/** The handshake, sessions (managed by the driver), refused transactions and the diagnostics drivers and tools send. */
export function handshakeCommands(startedAt: number): CommandHandlers {
  return {
    hello: (c, ctx) => hello(ctx, 'hello'),
    isMaster: (c, ctx) => hello(ctx, 'isMaster'),
    ismaster: (c, ctx) => hello(ctx, 'isMaster'),
    ping: () => ({ ok: 1 }),
    buildInfo: () => buildInfo(),
    buildinfo: () => buildInfo(),
    endSessions: () => ({ ok: 1 }),
    killSessions: () => ({ ok: 1 }),
    killAllSessions: () => ({ ok: 1 }),
    refreshSessions: () => ({ ok: 1 }),
    startSession: () => {
      throw illegalOperation(
        'sessions are managed by the driver; startSession is not supported',
      );
    },
    abortTransaction: () => {
      throw noTransactions();
    },
    commitTransaction: () => {
      throw noTransactions();
    },
    whatsmyuri: (c, ctx) => ({ you: ctx.remoteAddress, ok: 1 }),
    connectionStatus: () => ({
      authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
      ok: 1,
    }),
    getParameter: (c) => getParameter(c),
    hostInfo: () => ({
      system: { currentTime: new Date(), hostname: 'localhost' },
      os: {},
      extra: {},
      ok: 1,
    }),
    serverStatus: () => ({
      host: 'localhost',
      version: SERVER_VERSION,
      process: 'mongo-embedded',
      pid: Long.fromNumber(process.pid),
      uptime: (Date.now() - startedAt) / 1000,
      localTime: new Date(),
      ok: 1,
    }),
    getCmdLineOpts: () => ({ argv: [], parsed: {}, ok: 1 }),
    getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  };
}

/** A standalone mongod refuses transactions (and so does this server). */
export function noTransactions(): MongoServerError {
  return illegalOperation(
    'Transaction numbers are only allowed on a replica set member or mongos',
  );
}

function hello(ctx: CommandContext, kind: 'hello' | 'isMaster'): Document {
  return {
    ...(kind === 'hello' ? { isWritablePrimary: true } : { ismaster: true }),
    helloOk: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}

function buildInfo(): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'mongo-embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['mongo-embedded'],
    javascriptEngine: 'none',
    ok: 1,
  };
}

function getParameter(cmd: Document): Document {
  const out: Document = { ok: 1 };
  if (cmd['featureCompatibilityVersion'])
    out['featureCompatibilityVersion'] = { version: '7.0' };
  return out;
}
