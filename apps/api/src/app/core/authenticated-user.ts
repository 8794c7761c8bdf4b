/** The caller of an authenticated request or socket, as resolved from a valid access token. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  displayName: string;
}
