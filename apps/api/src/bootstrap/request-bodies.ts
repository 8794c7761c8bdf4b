import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonShapeProblem } from '../app/core/json-bounds';

/** Route config flag: the route reads its body as the exact bytes received (`request.body` is a Buffer). */
const RAW_BODY_ROUTE = 'rawBody';

/**
 * The API's request bodies, replacing Fastify's own parsers:
 * - JSON (`application/json`, `application/*+json`), refused with a 400 when malformed, nested too
 *   deeply or holding keys such as `__proto__`/`constructor`, before any recursive or
 *   object-mapping code walks it;
 * - a raw-body route (see `keepRawBodies`) gets the exact bytes of any content type, under its
 *   own limit (Meta signs the bytes);
 * - any other content type on other routes is read and ignored, so the route's validation
 *   answers, as for a missing body.
 * Sizes are Fastify's to enforce before anything is parsed: the server's `bodyLimit` (BODY_LIMIT),
 * or a raw-body route's own.
 */
export function parseRequestBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();

  fastify.addContentTypeParser(
    /^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)/i,
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      if (isRawBodyRoute(request)) return done(null, body);
      let parsed: unknown;
      try {
        // An empty body is an empty object, as Express's parser had it: the DTO's validation answers.
        parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        return done(
          new BadRequestException('Request body is not valid JSON'),
          undefined,
        );
      }
      const problem = jsonShapeProblem(parsed);
      if (problem) {
        return done(
          new BadRequestException(`Request body ${problem}`),
          undefined,
        );
      }
      done(null, parsed);
    },
  );
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) =>
      done(null, isRawBodyRoute(request) ? body : undefined),
  );
}

function isRawBodyRoute(request: FastifyRequest): boolean {
  return (
    (request.routeOptions.config as unknown as Record<string, unknown>)[
      RAW_BODY_ROUTE
    ] === true
  );
}

/**
 * Marks the routes under `pathPrefix` (any method) as raw-body routes with their own size limit,
 * as they are registered: call it before the app registers its routes (app.init / listen).
 */
export function keepRawBodies(
  fastify: FastifyInstance,
  pathPrefix: string,
  bodyLimit: number,
): void {
  fastify.addHook('onRoute', (route) => {
    if (route.url !== pathPrefix && !route.url.startsWith(`${pathPrefix}/`))
      return;
    route.bodyLimit = bodyLimit;
    route.config = { ...(route.config ?? {}), [RAW_BODY_ROUTE]: true };
  });
}
