// A server thread that dies on its own shortly after starting (as one that ran out of memory would).
require('@swc-node/register');
require('../../lib/embedded-mongo-thread').serveEmbeddedMongoFromThread();
setTimeout(() => process.exit(3), 300);
