import type { Server, ServerResponse } from 'node:http';

/** Ends a response with a complete body and its length, as the API answers. */
export function answer(
  response: ServerResponse,
  status: number,
  body: string,
  contentType = 'application/json; charset=utf-8',
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * Listens on a free loopback port and prints `listening <port>` (what built-api.ts waits for);
 * closes on SIGTERM.
 */
export function listenForTheBench(server: Server): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`listening ${port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
