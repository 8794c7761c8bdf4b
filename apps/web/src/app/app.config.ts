import { provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  ApplicationConfig,
  provideBrowserGlobalErrorListeners,
} from '@angular/core';
import {
  provideRouter,
  withComponentInputBinding,
  withRouterConfig,
} from '@angular/router';
import { appRoutes } from './app.routes';
import { authInterceptor } from './core/session/auth.interceptor';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(
      appRoutes,
      withComponentInputBinding(),
      // A page that fails to load (server unreachable) is reported by NavigationFailure, not
      // thrown as an unhandled rejection.
      withRouterConfig({ resolveNavigationPromiseOnError: true }),
    ),
    provideHttpClient(withInterceptors([authInterceptor])),
  ],
};
