export { startEmbeddedMongo } from './lib/embedded-mongo';
export type { EmbeddedMongo, EmbeddedMongoOptions } from './lib/embedded-mongo';
export { DEFAULT_CONNECTION_LIMITS } from './lib/server';
export type { ConnectionLimits } from './lib/server';
export {
  serveEmbeddedMongoFromThread,
  startEmbeddedMongoThread,
} from './lib/embedded-mongo-thread';
export type { EmbeddedMongoThreadOptions } from './lib/embedded-mongo-thread';
