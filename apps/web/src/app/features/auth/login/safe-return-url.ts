/**
 * Where to go after signing in. Only paths inside this app are honoured, so a crafted link
 * cannot bounce a fresh session to another site.
 */
export function safeReturnUrl(candidate: string | null | undefined): string {
  if (
    candidate &&
    candidate.startsWith('/') &&
    !candidate.startsWith('//') &&
    !candidate.startsWith('/\\')
  ) {
    return candidate;
  }
  return '/inbox';
}
