import { HttpErrorResponse, HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, throwError } from 'rxjs';
import { AuthService } from './auth.service';

/**
 * Adds the JWT to calls to our own API (never to other origins), and ends the session when the
 * API rejects a token it previously accepted.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  const auth = inject(AuthService);
  const token = auth.accessToken();
  const isOwnApi = request.url.startsWith('/api/');
  const authorised =
    token && isOwnApi
      ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } })
      : request;

  return next(authorised).pipe(
    catchError((error: unknown) => {
      // A 401 on a request without a token (a wrong password at login) is the form's to show, and
      // a late 401 for a token that has since been replaced must not end the new session.
      const rejectedCurrentToken =
        authorised !== request && auth.accessToken() === token;
      if (
        error instanceof HttpErrorResponse &&
        error.status === 401 &&
        rejectedCurrentToken
      ) {
        auth.logout('expired');
      }
      return throwError(() => error);
    }),
  );
};
