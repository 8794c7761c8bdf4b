/**
 * Where Meta sends the person back after consent (both login methods): InstantChat's callback
 * route, registered with Meta as the redirect URI. The API serves it; the sandbox allows it by
 * default. Appended to an origin such as `PUBLIC_URL`.
 */
export const OAUTH_CALLBACK_PATH = '/api/instagram/auth/instagram/callback';
