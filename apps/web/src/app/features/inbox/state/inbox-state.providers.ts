import { ConversationListState } from './conversation-list.state';
import { DeliveryRetryState } from './delivery-retry.state';
import { DraftThreadState } from './draft-thread.state';
import { DraftsState } from './drafts.state';
import { InboxSettingsState } from './inbox-settings.state';
import { InboxStore } from './inbox.store';
import { NewMessageAlerts } from './new-message-alerts';
import { Outbox } from './outbox.state';
import { SearchState } from './search.state';
import { ThreadLandingState } from './thread-landing.state';
import { ThreadsState } from './threads.state';

/** What the inbox page provides: the store and the pieces it composes, one set per inbox. */
export const INBOX_STATE_PROVIDERS = [
  InboxStore,
  ConversationListState,
  ThreadsState,
  Outbox,
  DeliveryRetryState,
  DraftsState,
  DraftThreadState,
  SearchState,
  InboxSettingsState,
  NewMessageAlerts,
  ThreadLandingState,
];
