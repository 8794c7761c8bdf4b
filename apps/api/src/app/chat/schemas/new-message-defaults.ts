/**
 * What the message schema (message.schema.ts) stores by default in a new message's change fields:
 * no error, no reactions, neither unsent nor edited. For the builders that write a new message
 * through the driver as Mongoose's `create` would (sentMessageDocument, inboundMessageDocument).
 */
export function newMessageDefaults() {
  return {
    error: null,
    deliveryError: null,
    reactions: [],
    deletedAt: null,
    editedAt: null,
  };
}
