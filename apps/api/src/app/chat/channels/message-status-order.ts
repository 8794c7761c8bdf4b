import type { MessageStatus } from '@instantchat/contracts';

/**
 * The order a message moves through. `failed` may follow anything short of delivery, and a failed
 * message may still move on (a retry got through).
 */
export const STATUS_ORDER: readonly MessageStatus[] = [
  'pending',
  'sent',
  'delivered',
  'read',
];

/** The statuses a message may hold for a move to `status` to be a step forward. */
export function statusesBefore(status: MessageStatus): MessageStatus[] {
  if (status === 'failed') return ['pending', 'sent'];
  return STATUS_ORDER.slice(0, STATUS_ORDER.indexOf(status)).concat(
    status === 'pending' ? [] : ['failed'],
  );
}
