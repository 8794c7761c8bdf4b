import { Route } from '@angular/router';

/** The signed-in inbox: the list beside the open conversation (a child route). */
export const inboxRoutes: Route[] = [
  {
    path: '',
    title: 'Inbox · InstantChat',
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
