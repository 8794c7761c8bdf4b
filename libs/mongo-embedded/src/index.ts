export { startEmbeddedMongo } from './lib/embedded-mongo';
export type { EmbeddedMongo, EmbeddedMongoOptions } from './lib/embedded-mongo';
