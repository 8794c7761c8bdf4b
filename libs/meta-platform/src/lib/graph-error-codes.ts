/**
 * Graph API error codes and subcodes a messaging client must tell apart
 * (developers.facebook.com/docs/graph-api/guides/error-handling and the Messenger Platform
 * error reference).
 */
export const GraphErrorCode = {
  /** Unknown error: possibly temporary. */
  UNKNOWN: 1,
  /** Temporary service issue. */
  SERVICE_UNAVAILABLE: 2,
  /** Application request limit reached. */
  APP_RATE_LIMIT: 4,
  /** Permission denied, or (with subcodes 2018278 / 2534022) outside the messaging window. */
  PERMISSION_DENIED: 10,
  /** User request limit reached. */
  USER_RATE_LIMIT: 17,
  /** Page request limit reached. */
  PAGE_RATE_LIMIT: 32,
  /** Invalid parameter (subcode 2018001: no matching user; 33: unknown object). */
  INVALID_PARAMETER: 100,
  /** Access token invalid or expired. */
  ACCESS_TOKEN: 190,
  /** Missing permission (200–299). */
  PERMISSION: 200,
  /** The person isn't available right now. */
  USER_UNAVAILABLE: 551,
  /** Calls to this API have exceeded the rate limit. */
  API_RATE_LIMIT: 613,
  /** Too many send requests to a user (Messenger/Instagram). */
  SEND_RATE_LIMIT: 80006,
} as const;

export const GraphErrorSubcode = {
  /** Object does not exist, cannot be loaded due to missing permissions, or unsupported. */
  UNKNOWN_OBJECT: 33,
  /** The app is not installed / the user has not authorised it. */
  APP_NOT_INSTALLED: 458,
  /** The user must log in to facebook.com to restore their session. */
  USER_CHECKPOINTED: 459,
  /** Session invalidated (password changed or security reasons). */
  PASSWORD_CHANGED: 460,
  /** The token expired. */
  TOKEN_EXPIRED: 463,
  /** Unconfirmed user. */
  UNCONFIRMED_USER: 464,
  /** The token is invalid. */
  INVALID_TOKEN: 467,
  /** The person isn't available (551). */
  USER_UNAVAILABLE: 1545041,
  /** No matching user found (recipient unknown). */
  NO_MATCHING_USER: 2018001,
  /** Outside of the allowed messaging window (Messenger Platform). */
  OUTSIDE_WINDOW: 2018278,
  /** Outside of the allowed messaging window (Instagram). */
  OUTSIDE_WINDOW_INSTAGRAM: 2534022,
  /**
   * Also answered (with code 10) to a send outside the messaging window; not in Meta's public
   * list, reported from production (issue 10), so it is treated like its two twins.
   */
  OUTSIDE_WINDOW_REPORTED: 2018065,
} as const;

/** Messaging windows: a free reply within 24 h of the person's last message; 7 days with HUMAN_AGENT. */
export const STANDARD_MESSAGING_WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_MESSAGING_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
