/**
 * Bodies of Instagram API with Instagram Login (Business Login for Instagram): the authorization
 * window on www.instagram.com, the code exchange on api.instagram.com, and graph.instagram.com.
 */

/** What InstantChat asks for in Instagram's authorization window. */
export const INSTAGRAM_LOGIN_SCOPES = [
  'instagram_business_basic',
  'instagram_business_manage_messages',
] as const;

/** One grant of `POST api.instagram.com/oauth/access_token`. */
export interface InstagramLoginGrantBody {
  access_token: string;
  /** The professional account's id (as webhooks carry it); a number in some answers. */
  user_id: string | number;
  /** A list, or one comma-separated string. */
  permissions?: string[] | string;
}

/**
 * Meta documents `{data: [grant]}`; the flat `grant` is what it is reported to answer. Clients
 * accept both.
 */
export type InstagramLoginCodeExchangeResponse =
  | InstagramLoginGrantBody
  | { data: InstagramLoginGrantBody[] };

/** `GET graph.instagram.com/<version>/me?fields=user_id,username,name,profile_picture_url` */
export interface InstagramLoginMeResponse {
  /** App-scoped id of the account. */
  id: string;
  /** The professional account's id: the key webhooks carry in `entry[].id`. */
  user_id?: string;
  username?: string;
  name?: string;
  profile_picture_url?: string;
  account_type?: string;
}
