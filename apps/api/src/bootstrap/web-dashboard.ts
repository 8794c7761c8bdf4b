import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every path but the server's own (`/api`, `/socket.io`, `/webhook`, in any letter case, as Express
 * routes them): the dashboard's files and its index.html fallback are mounted here, so an API
 * request never makes the static middleware look for a file on disk. Zero-width, so the mounted
 * middleware sees the path unchanged.
 */
const DASHBOARD_PATHS = /^(?!\/(?:api|socket\.io|webhook)(?:\/|$))/i;

/**
 * Serves the built Angular dashboard from the same origin as the API, when it has been built.
 * Client-side routes (`/conversations/42`) get index.html so a reload lands in the app.
 */
export function serveWebDashboard(
  app: NestExpressApplication,
  webDistDir: string,
): boolean {
  const indexFile = join(webDistDir, 'index.html');
  if (!existsSync(indexFile)) {
    new Logger('WebDashboard').log(
      `No built dashboard at ${webDistDir}; serving the API only`,
    );
    return false;
  }

  app.useStaticAssets(webDistDir, {
    // Express takes a RegExp as a mount path; Nest's option is typed for strings only.
    prefix: DASHBOARD_PATHS as unknown as string,
    index: false,
    maxAge: '1h',
    fallthrough: true,
  });
  app.use(
    DASHBOARD_PATHS,
    (request: Request, response: Response, next: NextFunction) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return next();
      // index.html names the hashed bundles: it must never be cached, or a deploy would strand clients.
      response.setHeader('Cache-Control', 'no-cache');
      response.sendFile(indexFile);
    },
  );
  return true;
}
