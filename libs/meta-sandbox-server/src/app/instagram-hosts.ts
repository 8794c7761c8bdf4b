/**
 * Instagram Login runs on three Meta hosts; the sandbox plays each under a path prefix named
 * after it, so the API's META_IG_* URLs point here by origin + prefix:
 * `www.instagram.com/oauth/authorize` (consent), `api.instagram.com/oauth/access_token` (code
 * exchange) and `graph.instagram.com/[vNN.0/]…` (tokens, `/me`, subscriptions, Send API).
 */
export const INSTAGRAM_HOSTS = {
  oauth: '/www.instagram.com',
  api: '/api.instagram.com',
  graph: '/graph.instagram.com',
} as const;
