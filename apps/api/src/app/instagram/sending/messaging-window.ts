import {
  HUMAN_AGENT_MESSAGING_WINDOW_MS,
  STANDARD_MESSAGING_WINDOW_MS,
} from '@instantchat/meta-platform';

/**
 * Meta's messaging window: a business may reply freely for 24 hours after the contact's last
 * message and, with the HUMAN_AGENT tag (apps Meta granted it), for 7 days. A contact who never
 * wrote cannot be messaged at all.
 */
export type ReplyWindow =
  | {
      open: true;
      /** The reply needs the HUMAN_AGENT tag: the 24-hour window has passed. */
      humanAgent: boolean;
      closesAt: Date;
    }
  | {
      open: false;
      /** null when the contact never wrote. */
      closedAt: Date | null;
    };

export function replyWindowAt(
  lastInboundAt: Date | undefined,
  now: Date,
  humanAgentAllowed: boolean,
): ReplyWindow {
  if (!lastInboundAt) return { open: false, closedAt: null };
  const standardEnd = new Date(
    lastInboundAt.getTime() + STANDARD_MESSAGING_WINDOW_MS,
  );
  const humanAgentEnd = new Date(
    lastInboundAt.getTime() + HUMAN_AGENT_MESSAGING_WINDOW_MS,
  );
  const closesAt = humanAgentAllowed ? humanAgentEnd : standardEnd;
  if (now >= closesAt) return { open: false, closedAt: closesAt };
  return { open: true, humanAgent: now >= standardEnd, closesAt };
}
