import { Route } from '@angular/router';
import { guestGuard } from '../../core/session/auth.guard';

/** Signing in and creating an account: only for people not signed in. */
export const authRoutes: Route[] = [
  {
    path: 'login',
    canActivate: [guestGuard],
    title: 'Sign in · InstantChat',
    loadComponent: () => import('./login/login.page').then((m) => m.LoginPage),
  },
  {
    path: 'register',
    canActivate: [guestGuard],
    title: 'Create account · InstantChat',
    loadComponent: () =>
      import('./register/register.page').then((m) => m.RegisterPage),
  },
];
