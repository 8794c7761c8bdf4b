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
        path: ':conversationId',
        loadComponent: () =>
          import('./pages/conversation/conversation.page').then(
            (m) => m.ConversationPage,
          ),
      },
    ],
  },
];
