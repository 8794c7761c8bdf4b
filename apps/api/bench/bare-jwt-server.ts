/**
 * The bench's reference for `GET /api/auth/me` and the history pages: what this machine does when
 * nothing stands between the socket and the answer but the work itself. A bare Node `http` server
 * that verifies the same HS256 access token (same secret, signature and `exp` checked) and answers
 * `/api/auth/me` with the user from a Map, and a history page's path with the very body the API
 * gave for it, also from a Map; any other path is a 404.
 *
 * Started by chat-bench.ts as its own process (so it does not share an event loop with the load
 * generator), with BENCH_JWT_SECRET, BENCH_USERS (a JSON array of user DTOs) and BENCH_PAGES_FILE
 * (a JSON object: request path → response body) in the environment. Prints `listening <port>`
 * once ready.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { answer, listenForTheBench } from './reference-http';

const secret = createSecretKey(
  Buffer.from(process.env['BENCH_JWT_SECRET'] ?? '', 'utf8'),
);
const users = new Map<string, string>(
  (JSON.parse(process.env['BENCH_USERS'] ?? '[]') as { id: string }[]).map(
    (user) => [user.id, JSON.stringify(user)],
  ),
);
const pagesFile = process.env['BENCH_PAGES_FILE'];
const pages = new Map<string, string>(
  pagesFile
    ? Object.entries(
        JSON.parse(readFileSync(pagesFile, 'utf8')) as Record<string, string>,
      )
    : [],
);

/** The token's subject when its signature is ours and it has not expired; otherwise null. */
function verifiedSubject(token: string): string | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  const expected = createHmac('sha256', secret)
    .update(`${header}.${payload}`)
    .digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return null;
  }
  const claims = JSON.parse(
    Buffer.from(payload, 'base64url').toString('utf8'),
  ) as { sub?: unknown; exp?: unknown };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
    return null;
  }
  return typeof claims.sub === 'string' ? claims.sub : null;
}

const server = createServer((request, response) => {
  const authorization = request.headers.authorization ?? '';
  const subject = authorization.startsWith('Bearer ')
    ? verifiedSubject(authorization.slice('Bearer '.length))
    : null;
  const user = subject === null ? undefined : users.get(subject);
  const page = pages.get(request.url ?? '');
  if (user === undefined) {
    answer(response, 401, '{"statusCode":401,"error":"Unauthorized"}');
  } else if (page !== undefined) {
    answer(response, 200, page);
  } else if (request.url === '/api/auth/me') {
    answer(response, 200, user);
  } else {
    answer(response, 404, '{"statusCode":404,"error":"Not Found"}');
  }
});

listenForTheBench(server);
