import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import type { HttpApp } from './create-app';

/**
 * The server's own paths (`/api`, `/socket.io`, `/webhook`, in any letter case): never the
 * dashboard's, so an unknown API path is a JSON 404, not index.html.
 */
const SERVER_PATHS = /^\/(?:api|socket\.io|webhook)(?:[/?]|$)/i;

/**
 * Serves the built Angular dashboard from the same origin as the API, when it has been built.
 * Its files are listed once, at start (an API request never makes anyone look for a file on disk),
 * and served under the paths that are not the server's own; client-side routes
 * (`/conversations/42`) get index.html so a reload lands in the app.
 */
export function serveWebDashboard(app: HttpApp, webDistDir: string): boolean {
  const indexFile = join(webDistDir, 'index.html');
  if (!existsSync(indexFile)) {
    new Logger('WebDashboard').log(
      `No built dashboard at ${webDistDir}; serving the API only`,
    );
    return false;
  }

  const files = dashboardFiles(webDistDir);
  const fastify = app.getHttpAdapter().getInstance();
  const serve = (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    if (SERVER_PATHS.test(path)) return reply.callNotFound();
    const file = files.get(path);
    // index.html names the hashed bundles: it must never be cached, or a deploy would strand
    // clients; the bundles themselves may be.
    return reply
      .type(file?.type ?? HTML)
      .header('Cache-Control', file ? 'public, max-age=3600' : 'no-cache')
      .send(createReadStream(file?.absolutePath ?? indexFile));
  };
  fastify.get('/', serve);
  fastify.get('/*', serve);
  return true;
}

const HTML = 'text/html; charset=utf-8';

/** What an Angular build holds, by extension; anything else is sent as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': HTML,
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

interface DashboardFile {
  absolutePath: string;
  type: string;
}

/** The built dashboard's files, as URL paths (`/main-ABC123.js`), listed once at start. */
function dashboardFiles(webDistDir: string): Map<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
  for (const entry of readdirSync(webDistDir, { recursive: true })) {
    const relative = String(entry);
    const absolutePath = join(webDistDir, relative);
    if (!statSync(absolutePath).isFile()) continue;
    const path = `/${relative.split(sep).join('/')}`;
    if (SERVER_PATHS.test(path)) continue;
    files.set(path, {
      absolutePath,
      type:
        CONTENT_TYPES[extname(path).toLowerCase()] ??
        'application/octet-stream',
    });
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
