/** In-process entry for tests: `startMetaSandbox({ appId, appSecret, redirectUris, … })`. */
export {
  DEFAULT_INSTAGRAM_APP,
  startMetaSandbox,
  type MetaSandbox,
  type MetaSandboxOptions,
} from './app/sandbox';
export {
  signWebhookBody,
  META_WEBHOOK_RETRY_DELAYS_MS,
} from './app/webhooks/webhook-sender';
export type {
  SandboxEventInput,
  SandboxEventType,
} from './app/webhooks/sandbox-event-input';
export {
  startWebhookReceiver,
  type WebhookReceiver,
  type ReceivedWebhook,
} from './testing/webhook-receiver';
export {
  allowInInstagramLogin,
  approveInDialog,
} from './testing/sandbox-client';
