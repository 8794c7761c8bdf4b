import type { DeliveryOutcome, MessageChange } from './channel.types';

/** The status change that records where a channel's delivery of a reply ended. */
export function statusChangeOf(outcome: DeliveryOutcome): MessageChange {
  return outcome.status === 'failed'
    ? {
        kind: 'status',
        status: 'failed',
        error: outcome.error,
        deliveryError: outcome.deliveryError,
      }
    : {
        kind: 'status',
        status: outcome.status,
        externalMessageId: outcome.externalMessageId,
      };
}
