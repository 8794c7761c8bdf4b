import { INSTAGRAM_CONNECT_PAGE_PATH } from '@instantchat/contracts';
import type { ConnectOutcome } from './instagram-connect.service';

/**
 * Where the browser lands after Meta's dialog: the dashboard's connect page, told the outcome in
 * its query. It carries a username or a reason code, nothing else.
 */
export function connectPageUrl(
  clientUrl: string,
  outcome: ConnectOutcome,
): string {
  const url = new URL(INSTAGRAM_CONNECT_PAGE_PATH, clientUrl);
  url.searchParams.set('status', outcome.status);
  if (outcome.status === 'connected')
    url.searchParams.set('account', outcome.username);
  else url.searchParams.set('reason', outcome.reason);
  return url.toString();
}
