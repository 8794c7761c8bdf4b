/**
 * The embedded database's thread (built beside main.js as embedded-db-worker.js): DatabaseServer
 * starts it when MONGO_URI is unset, so the database's work and heap stay off the API's event loop.
 */
import { serveEmbeddedMongoFromThread } from '@instantchat/mongo-embedded';

serveEmbeddedMongoFromThread();
