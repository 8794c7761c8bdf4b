import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Paths that belong to the API and never fall back to the dashboard's index.html. */
const SERVER_PATHS = /^\/(api|socket\.io|webhook)(\/|$)/;

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
    index: false,
    maxAge: '1h',
    fallthrough: true,
  });
  app.use((request: Request, response: Response, next: NextFunction) => {
    const wantsPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !SERVER_PATHS.test(request.path);
    if (!wantsPage) return next();
    // index.html names the hashed bundles: it must never be cached, or a deploy would strand clients.
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(indexFile);
  });
  return true;
}
