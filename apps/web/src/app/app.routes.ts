import { Route } from '@angular/router';
import { provideHeaderExtension } from './core/layout/header-extensions';
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
    // The inbox's header shows the Instagram status; the inbox itself knows no Instagram code.
    providers: [
      provideHeaderExtension(() =>
        import('./features/instagram/header/instagram-header-status').then(
          (m) => m.InstagramHeaderStatus,
        ),
      ),
    ],
    loadChildren: () =>
      import('./features/inbox/inbox.routes').then((m) => m.inboxRoutes),
  },
  {
    path: 'instagram',
    canActivate: [authGuard],
    loadChildren: () =>
      import('./features/instagram/instagram.routes').then(
        (m) => m.instagramRoutes,
      ),
  },
  { path: '**', redirectTo: 'inbox' },
];
