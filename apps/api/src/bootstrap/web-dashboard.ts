import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { HttpApp } from './create-app';

/**
 * The server's own paths (`/api`, `/socket.io`, `/webhook`, in any letter case): never the
 * dashboard's, so an unknown API path is a JSON 404, not index.html.
 */
const SERVER_PATHS = /^\/(?:api|socket\.io|webhook)(?:[/?]|$)/i;

/**
 * Serves the built Angular dashboard from the same origin as the API, when it has been built.
 * Its files are listed once, at start (an API request never makes anyone look for a file on disk),
 * and served under the paths that are not the server's own; client-side routes (`/conversations/42`) get index.html so a reload lands in the app.
 */
export async function serveWebDashboard(
  app: HttpApp,
  webDistDir: string,
): Promise<boolean> {
  const indexFile = join(webDistDir, 'index.html');
  if (!existsSync(indexFile)) {
    new Logger('WebDashboard').log(
      `No built dashboard at ${webDistDir}; serving the API only`,
    );
    return false;
  }

  const files = dashboardFiles(webDistDir);
  const fastify = app.getHttpAdapter().getInstance();
  // Only for reply.sendFile: the routes are the two below.
  await fastify.register(fastifyStatic, { root: webDistDir, serve: false });
  const serve = (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    if (SERVER_PATHS.test(path)) return reply.callNotFound();
    if (files.has(path)) {
      return reply.sendFile(path.slice(1), { maxAge: '1h', index: false });
    }
    // index.html names the hashed bundles: it must never be cached, or a deploy would strand clients.
    return reply
      .header('Cache-Control', 'no-cache')
      .sendFile('index.html', { cacheControl: false });
  };
  fastify.get('/', serve);
  fastify.get('/*', serve);
  return true;
}

/** The built dashboard's files, as URL paths (`/main-ABC123.js`), listed once at start. */
function dashboardFiles(webDistDir: string): Set<string> {
  const files = new Set<string>();
  for (const entry of readdirSync(webDistDir, { recursive: true })) {
    const relative = String(entry);
    if (!statSync(join(webDistDir, relative)).isFile()) continue;
    const path = `/${relative.split(sep).join('/')}`;
    if (!SERVER_PATHS.test(path)) files.add(path);
  }
  return files;
}

/** The decoded path of a request URL; undefined-safe for malformed escapes. */
function pathOf(url: string): string {
  const path = url.split('?', 1)[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
