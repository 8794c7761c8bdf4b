const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Meta's windows: 24 hours after the customer's last message, 7 days for a human agent. */
const STANDARD_WINDOW_MS = DAY;
const HUMAN_AGENT_WINDOW_MS = 7 * DAY;
/** Less than this left and the indicator warns. */
export const CLOSING_SOON_MS = HOUR;

export type ReplyWindowState =
  | 'open'
  | 'closing'
  | 'human-agent'
  | 'closed'
  | 'not-started';

/** Meta's messaging window of an Instagram conversation, as the chat window explains it. */
export interface ReplyWindowView {
  state: ReplyWindowState;
  /** Whether a reply can be sent now. */
  open: boolean;
  /** The indicator's words. */
  message: string;
  /** Why the composer is disabled, in a few words (the indicator above explains); null while open. */
  composerReason: string | null;
}

/**
 * Where the window stands at `now`. `closesAt` is the conversation's `windowClosesAt` (undefined:
 * the conversation has no window, e.g. local chat; null: the customer never wrote); `humanAgent`
 * its `windowHumanAgent`, true when the server replies as a human agent and the window is 7 days.
 */
export function replyWindowView(
  closesAt: string | null | undefined,
  humanAgent: boolean,
  now: Date,
): ReplyWindowView | null {
  if (closesAt === undefined) {
    return null;
  }
  if (closesAt === null) {
    return {
      state: 'not-started',
      open: false,
      message:
        'You can reply once the customer writes to you: Instagram only allows replies to people who messaged the account.',
      composerReason: 'You can reply once the customer writes to you',
    };
  }
  const left = Date.parse(closesAt) - now.getTime();
  if (Number.isNaN(left)) {
    return null;
  }
  if (left <= 0) {
    const reason = humanAgent
      ? 'You can reply after the customer writes again — Instagram allows human-agent replies within 7 days of their last message.'
      : 'You can reply after the customer writes again — Instagram allows replies within 24 h of their last message.';
    return {
      state: 'closed',
      open: false,
      message: `Reply window closed. ${reason}`,
      composerReason: 'You can reply after the customer writes again',
    };
  }
  const timeLeft = formatTimeLeft(left);
  if (humanAgent && left <= HUMAN_AGENT_WINDOW_MS - STANDARD_WINDOW_MS) {
    return {
      state: 'human-agent',
      open: true,
      message: `Replying as a human agent: the 24-hour window has passed, and Instagram allows human-agent replies for 7 days. Closes in ${timeLeft}.`,
      composerReason: null,
    };
  }
  return {
    state: left < CLOSING_SOON_MS ? 'closing' : 'open',
    open: true,
    message: `Reply window closes in ${timeLeft}`,
    composerReason: null,
  };
}

/** "3 days", "5 h", "12 min", "less than a minute". */
export function formatTimeLeft(ms: number): string {
  if (ms >= 2 * DAY) {
    return `${Math.floor(ms / DAY)} days`;
  }
  if (ms >= HOUR) {
    return `${Math.floor(ms / HOUR)} h`;
  }
  if (ms >= MINUTE) {
    return `${Math.floor(ms / MINUTE)} min`;
  }
  return 'less than a minute';
}
