import { Route } from '@angular/router';
import { authGuard, guestGuard } from './data/auth.guard';

export const appRoutes: Route[] = [
  { path: '', pathMatch: 'full', redirectTo: 'inbox' },
  {
    path: 'login',
    canActivate: [guestGuard],
    title: 'Sign in · InstantChat',
    loadComponent: () =>
      import('./pages/login/login.page').then((m) => m.LoginPage),
  },
  {
    path: 'register',
    canActivate: [guestGuard],
    title: 'Create account · InstantChat',
    loadComponent: () =>
      import('./pages/register/register.page').then((m) => m.RegisterPage),
  },
  {
    path: 'inbox',
    canActivate: [authGuard],
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
  { path: '**', redirectTo: 'inbox' },
];
