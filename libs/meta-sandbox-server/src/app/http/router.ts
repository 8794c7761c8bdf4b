import type {
  IncomingHttpHeaders,
  IncomingMessage,
  ServerResponse,
} from 'node:http';

/**
 * A deliberately small router on top of node:http: the sandbox must answer byte-for-byte like
 * Meta (status, headers, JSON bodies), and owning the whole response path keeps that honest.
 */

export interface SandboxRequest {
  method: string;
  /** Path without the query string, e.g. `/v26.0/me/accounts`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** JSON object or url-encoded form fields, merged so handlers read both the same way. */
  body: Record<string, unknown>;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  html?: string;
  redirect?: string;
  /** Sandbox-only: hold the answer back this long (fault injection). */
  delayMs?: number;
}

export type Handler = (req: SandboxRequest) => Reply | Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class BodyParseError extends Error {}

const MAX_BODY_BYTES = 1024 * 1024;

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: splitPath(pattern), handler });
    return this;
  }

  match(
    method: string,
    path: string,
  ):
    | { handler: Handler; params: Record<string, string> }
    | 'method-not-allowed'
    | undefined {
    const segments = splitPath(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      pathMatched = true;
      if (
        route.method === method ||
        (method === 'HEAD' && route.method === 'GET')
      ) {
        return { handler: route.handler, params };
      }
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(
  pattern: string[],
  actual: string[],
): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(actual[i]);
      } catch {
        return undefined;
      }
    } else if (p !== actual[i]) {
      return undefined;
    }
  }
  return params;
}

export async function readRequest(
  req: IncomingMessage,
): Promise<{ rawBody: Buffer; url: URL }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new BodyParseError('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return {
    rawBody: Buffer.concat(chunks),
    url: new URL(req.url ?? '/', 'http://sandbox.local'),
  };
}

export function parseBody(
  rawBody: Buffer,
  contentType: string | undefined,
): Record<string, unknown> {
  if (rawBody.length === 0) return {};
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = rawBody.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type === 'application/json' || type === '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BodyParseError('Request body is not valid JSON');
    }
    if (
      parsed === null ||
      typeof parsed !== 'object' ||
      Array.isArray(parsed)
    ) {
      throw new BodyParseError('Request body must be a JSON object');
    }
    return parsed as Record<string, unknown>;
  }
  throw new BodyParseError(`Unsupported content type ${type}`);
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    ...reply.headers,
  };
  if (reply.redirect !== undefined) {
    res.writeHead(reply.status, { ...headers, location: reply.redirect });
    res.end();
    return;
  }
  if (reply.html !== undefined) {
    res.writeHead(reply.status, {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'self'; style-src 'unsafe-inline'; script-src 'self' 'unsafe-inline'; form-action 'self' http: https:",
    });
    res.end(reply.html);
    return;
  }
  if (reply.json !== undefined) {
    res.writeHead(reply.status, {
      ...headers,
      'content-type': 'application/json; charset=UTF-8',
    });
    res.end(JSON.stringify(reply.json));
    return;
  }
  res.writeHead(reply.status, headers);
  res.end();
}
