import {
  INSTAGRAM_CONNECT_ERROR_REASONS,
  type InstagramConnectErrorReason,
} from '@instantchat/contracts';

/** What the API's callback said about the last attempt, as `/instagram?status=…` carries it. */
export type ConnectOutcome =
  | { kind: 'connected'; username: string }
  | {
      kind: 'failed';
      reason: InstagramConnectErrorReason | 'unknown';
      title: string;
      advice: string;
    };

interface Explanation {
  title: string;
  advice: string;
}

/**
 * Each reason the callback can give, in words a shop owner understands, with what to do next.
 * Nothing here comes from Meta's answer: the URL carries only the reason's code.
 */
const EXPLANATIONS: Record<InstagramConnectErrorReason, Explanation> = {
  denied: {
    title: 'You cancelled, so nothing was connected.',
    advice:
      'When you are ready, connect again and choose Allow on the Instagram or Facebook page.',
  },
  no_professional_account: {
    title: 'That Instagram account is a personal account.',
    advice:
      'Only business and creator (professional) accounts can be connected. Switch the account to professional in the Instagram app (Settings → Account type and tools), then connect again.',
  },
  no_page: {
    title: 'No Facebook Page with an Instagram account was shared.',
    advice:
      'Facebook Login needs a Page linked to your Instagram professional account: link them in the Page’s settings and tick that Page when Facebook asks. Or use Connect with Instagram, which needs no Page.',
  },
  already_connected: {
    title: 'Someone else already connected that Instagram account.',
    advice:
      'An account can belong to one InstantChat user at a time. Ask the person who connected it to disconnect it first, then connect again.',
  },
  state_invalid: {
    title: 'That connection link is not valid.',
    advice: 'Start again with one of the buttons on this page.',
  },
  state_expired: {
    title: 'That connection link has expired.',
    advice:
      'Links last 10 minutes. Start again with one of the buttons on this page.',
  },
  state_used: {
    title: 'That connection link was already used.',
    advice:
      'If the account is not listed below, start again with one of the buttons on this page.',
  },
  code_invalid: {
    title:
      'Meta did not accept the sign-in: it was already used or has expired.',
    advice: 'Start again with one of the buttons on this page.',
  },
  meta_unavailable: {
    title: 'Instagram (Meta) did not answer in time.',
    advice: 'Nothing was saved. Wait a moment and try again.',
  },
  meta_error: {
    title: 'Meta refused a step of the connection.',
    advice:
      'This usually means a permission was not allowed. Connect again and allow every permission asked for.',
  },
};

const UNKNOWN: Explanation = {
  title: 'Connecting did not finish.',
  advice: 'Please try again with one of the buttons on this page.',
};

/** Instagram usernames: letters, digits, periods and underscores, at most 30. */
const USERNAME = /^[A-Za-z0-9._]{1,30}$/;

/** Reads the callback's outcome from the page's query; null when the page was opened directly. */
export function connectOutcomeFrom(
  query: Record<string, string | null | undefined>,
): ConnectOutcome | null {
  if (query['status'] === 'connected') {
    const username = query['account'] ?? '';
    return {
      kind: 'connected',
      username: USERNAME.test(username) ? username : '',
    };
  }
  if (query['status'] !== 'error') {
    return null;
  }
  const reason = isKnownReason(query['reason']) ? query['reason'] : 'unknown';
  const explanation = reason === 'unknown' ? UNKNOWN : EXPLANATIONS[reason];
  return { kind: 'failed', reason, ...explanation };
}

function isKnownReason(
  reason: string | null | undefined,
): reason is InstagramConnectErrorReason {
  return (INSTAGRAM_CONNECT_ERROR_REASONS as readonly string[]).includes(
    reason ?? '',
  );
}
