// The server's thread in the tests of startEmbeddedMongoThread: runs the TypeScript source.
require('@swc-node/register');
require('../../lib/embedded-mongo-thread').serveEmbeddedMongoFromThread();
