import { Route } from '@angular/router';
import { authGuard } from './core/session/auth.guard';

/** One lazy route set per feature; each feature's own file lists its pages. */
export const appRoutes: Route[] = [
  { path: '', pathMatch: 'full', redirectTo: 'inbox' },
  {
    path: '',
    loadChildren: () =>
      import('./features/auth/auth.routes').then((m) => m.authRoutes),
  },
  {
    path: 'inbox',
    canActivate: [authGuard],
    loadChildren: () =>
      import('./features/inbox/inbox.routes').then((m) => m.inboxRoutes),
  },
  { path: '**', redirectTo: 'inbox' },
];
