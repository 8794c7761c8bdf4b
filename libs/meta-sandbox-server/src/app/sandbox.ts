import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_GRAPH_API_VERSION } from '@instantchat/meta-platform';
import { GraphErrors } from './graph-errors';
import { withSandboxGraphVersion } from './graph-version';
import { INSTAGRAM_HOSTS } from './instagram-hosts';
import { asInstagramGraphError } from './routes/instagram-login/instagram-graph-handler';
import {
  BodyParseError,
  parseBody,
  readRequest,
  Router,
  writeReply,
  type Reply,
} from './http/router';
import { indexPage, instagramUserPage } from './pages/instagram-user-page';
import { registerControlRoutes } from './routes/control/control-routes';
import { registerGraphRoutes } from './routes/graph-routes';
import { registerInstagramConsentRoutes } from './routes/instagram-login/instagram-consent-routes';
import { registerInstagramGraphRoutes } from './routes/instagram-login/instagram-graph-routes';
import { registerInstagramTokenRoutes } from './routes/instagram-login/instagram-token-routes';
import { registerOAuthDialogRoutes } from './routes/oauth-dialog-routes';
import { registerSubscribedAppsRoutes } from './routes/subscribed-apps-routes';
import { registerTokenRoutes } from './routes/token-routes';
import type { SandboxConfig, SandboxContext } from './sandbox-context';
import { StateFile } from './state-file';
import { WebhookSender } from './webhooks/webhook-sender';
import { SandboxWorld } from './world';

/** Used when no Instagram app is given; like every sandbox secret, valid only here. */
export const DEFAULT_INSTAGRAM_APP = {
  id: 'sandbox-ig-app-id',
  secret: 'sandbox-ig-app-secret',
};

export interface MetaSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  appId: string;
  appSecret: string;
  appName?: string;
  /** The Instagram app of Instagram Login (its own id and secret, unlike the Meta app's). */
  instagramAppId?: string;
  instagramAppSecret?: string;
  graphVersion?: string;
  /** Redirect URIs registered for the app ("Valid OAuth Redirect URIs"); matched exactly. */
  redirectUris: string[];
  /** The app's webhook callback URL; without it events are recorded but not sent. */
  webhookUrl?: string;
  webhookVerifyToken?: string;
  /** Delay before each retry of a failed webhook delivery; its length bounds the retries. */
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
  /** Keep the sandbox's state (people, tokens, conversations) in this JSON file across restarts. */
  stateFile?: string;
  /** Meta's "Require App Secret" setting; on by default, as InstantChat always sends the proof. */
  requireAppSecretProof?: boolean;
  /** Most items per page of a Graph list (Meta caps `limit` too); small values exercise paging. */
  graphPageSize?: number;
  log?: (line: string) => void;
}

export interface MetaSandbox {
  /** Origin, e.g. `http://127.0.0.1:3100`. */
  url: string;
  /** `${url}/v26.0`: what the API's META_GRAPH_URL points at. */
  graphUrl: string;
  /** `${graphUrl}/dialog/oauth`. */
  oauthDialogUrl: string;
  /** Instagram Login's consent page (www.instagram.com/oauth/authorize): META_IG_OAUTH_URL. */
  instagramOAuthUrl: string;
  /** Instagram Login's code exchange host (api.instagram.com): META_IG_API_URL. */
  instagramApiUrl: string;
  /** graph.instagram.com with the version: META_IG_GRAPH_URL. */
  instagramGraphUrl: string;
  port: number;
  world: SandboxWorld;
  webhooks: WebhookSender;
  stop(): Promise<void>;
}

export async function startMetaSandbox(
  options: MetaSandboxOptions,
): Promise<MetaSandbox> {
  if (!options.appId || !options.appSecret)
    throw new Error('startMetaSandbox: appId and appSecret are required');
  const log = options.log ?? (() => undefined);
  const config: SandboxConfig = {
    appId: options.appId,
    appSecret: options.appSecret,
    appName: options.appName ?? 'InstantChat',
    instagramAppId: options.instagramAppId ?? DEFAULT_INSTAGRAM_APP.id,
    instagramAppSecret:
      options.instagramAppSecret ?? DEFAULT_INSTAGRAM_APP.secret,
    graphVersion: options.graphVersion ?? DEFAULT_GRAPH_API_VERSION,
    redirectUris: options.redirectUris,
    webhookVerifyToken: options.webhookVerifyToken ?? '',
    requireAppSecretProof: options.requireAppSecretProof ?? true,
    graphPageSize: options.graphPageSize ?? 100,
  };
  const world = new SandboxWorld();
  const stateFile = options.stateFile
    ? new StateFile(options.stateFile, world, log)
    : undefined;
  stateFile?.load();
  const sender = new WebhookSender({
    appSecret: options.appSecret,
    instagramAppSecret: config.instagramAppSecret,
    callbackUrl: options.webhookUrl,
    retryDelaysMs: options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
    apiVersion: config.graphVersion,
    log,
  });
  const ctx: SandboxContext = { world, sender, config, log };

  const router = new Router();
  router.add('GET', '/', () => ({ status: 200, html: indexPage(ctx) }));
  router.add('GET', '/instagram', () => ({
    status: 200,
    html: instagramUserPage(ctx),
  }));
  router.add('GET', '/favicon.ico', () => ({ status: 204 }));
  registerOAuthDialogRoutes(router, ctx);
  registerControlRoutes(router, ctx);
  // Fixed paths (`/debug_token`) before the catch-all `/{id}` of the Graph objects.
  registerTokenRoutes(router, ctx);
  registerSubscribedAppsRoutes(router, ctx);
  registerGraphRoutes(router, ctx);
  registerInstagramConsentRoutes(router, ctx);
  registerInstagramTokenRoutes(router, ctx);
  registerInstagramGraphRoutes(router, ctx);

  const graphPrefix = `/${config.graphVersion}/`;
  const instagramGraphPrefix = `${INSTAGRAM_HOSTS.graph}${graphPrefix}`;
  const pendingDelays = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      let reply: Reply;
      let path = '/';
      try {
        const { rawBody, url } = await readRequest(req);
        path = withSandboxGraphVersion(url.pathname, config.graphVersion);
        const method = req.method ?? 'GET';
        const match = router.match(method, path);
        if (
          path.startsWith('/_sandbox/') &&
          method !== 'GET' &&
          method !== 'HEAD' &&
          isCrossOrigin(req.headers.origin, req.headers.host)
        ) {
          // The control API has no credentials: without this, any web page open in the
          // developer's browser could post events (signed webhooks into the API) or reset state.
          reply = {
            status: 403,
            json: {
              statusCode: 403,
              error: 'Forbidden',
              message: 'The control API refuses cross-origin requests',
            },
          };
        } else if (match === undefined || match === 'method-not-allowed') {
          reply = path.startsWith(instagramGraphPrefix)
            ? asInstagramGraphError(
                GraphErrors.unknownPath(
                  path.slice(instagramGraphPrefix.length),
                ),
              )
            : path.startsWith(graphPrefix)
              ? GraphErrors.unknownPath(path.slice(graphPrefix.length))
              : {
                  status: match ? 405 : 404,
                  json: {
                    statusCode: match ? 405 : 404,
                    error: match ? 'Method Not Allowed' : 'Not Found',
                    message: `${method} ${path}`,
                  },
                };
        } else {
          const body = parseBody(rawBody, req.headers['content-type']);
          reply = await match.handler({
            method,
            path,
            params: match.params,
            query: url.searchParams,
            headers: req.headers,
            rawBody,
            body,
          });
        }
      } catch (err) {
        if (err instanceof BodyParseError) {
          reply = path.startsWith(graphPrefix)
            ? GraphErrors.invalidParameter(err.message)
            : {
                status: 400,
                json: {
                  statusCode: 400,
                  error: 'Bad Request',
                  message: err.message,
                },
              };
        } else {
          log(
            `sandbox error on ${req.method} ${path}: ${err instanceof Error ? err.stack : String(err)}`,
          );
          reply = GraphErrors.transient(500);
        }
      }
      // Paths only: query strings carry access tokens and secrets.
      log(`${req.method} ${path} -> ${reply.status}`);
      // Even GETs change the world (codes exchanged, Page tokens issued).
      stateFile?.scheduleSave();
      const answer = () => {
        try {
          writeReply(res, reply);
        } catch (err) {
          // E.g. a header value Node refuses: answer 500 rather than leave an unhandled rejection.
          log(
            `could not answer ${req.method} ${path}: ${err instanceof Error ? err.message : String(err)}`,
          );
          if (!res.headersSent) res.writeHead(500).end();
          else res.destroy();
        }
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          pendingDelays.delete(timer);
          if (!res.destroyed) answer();
        }, reply.delayMs);
        pendingDelays.add(timer);
      } else {
        answer();
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host =
    options.host && options.host !== '0.0.0.0' && options.host !== '::'
      ? options.host
      : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    graphUrl: `${url}/${config.graphVersion}`,
    oauthDialogUrl: `${url}/${config.graphVersion}/dialog/oauth`,
    instagramOAuthUrl: `${url}${INSTAGRAM_HOSTS.oauth}/oauth/authorize`,
    instagramApiUrl: `${url}${INSTAGRAM_HOSTS.api}`,
    instagramGraphUrl: `${url}${INSTAGRAM_HOSTS.graph}/${config.graphVersion}`,
    port,
    world,
    webhooks: sender,
    stop: async () => {
      sender.stop();
      stateFile?.saveNow();
      for (const t of pendingDelays) clearTimeout(t);
      pendingDelays.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A browser names the page that made the request in `Origin`; other clients send none. */
function isCrossOrigin(
  origin: string | undefined,
  host: string | undefined,
): boolean {
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true; // `null` (sandboxed frames, file: pages) or garbage
  }
}
