import { Route } from '@angular/router';

/** The signed-in inbox: the list beside the open conversation (a child route). */
export const inboxRoutes: Route[] = [
  {
    path: '',
    // No route title: the inbox page names the open conversation and the unread count itself.
    loadComponent: () =>
      import('./pages/inbox/inbox.page').then((m) => m.InboxPage),
    children: [
      {
        path: '',
        loadComponent: () =>
          import('./pages/inbox/no-conversation-selected').then(
            (m) => m.NoConversationSelected,
          ),
      },
      {
        // A person picked to write to, with no conversation until the first message is sent.
        path: 'new/:userId',
        loadComponent: () =>
          import('./pages/draft-conversation/draft-conversation.page').then(
            (m) => m.DraftConversationPage,
          ),
      },
      {
        path: ':conversationId',
        loadComponent: () =>
          import('./pages/conversation/conversation.page').then(
            (m) => m.ConversationPage,
          ),
      },
    ],
  },
];
