import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  InstagramAuthUrlDto,
  InstagramLoginMethod,
  InstagramStatusDto,
} from '@instantchat/contracts';
import { Observable, map } from 'rxjs';

/** The API's Instagram connection endpoints (apps/api/src/app/instagram/). */
@Injectable({ providedIn: 'root' })
export class InstagramConnectionsApi {
  private readonly http = inject(HttpClient);

  status(): Observable<InstagramStatusDto> {
    return this.http.get<InstagramStatusDto>('/api/instagram/status');
  }

  /** Meta's consent page for the chosen login method, carrying a fresh single-use state. */
  authorizationUrl(method: InstagramLoginMethod): Observable<string> {
    return this.http
      .get<InstagramAuthUrlDto>('/api/instagram/auth/instagram', {
        params: new HttpParams().set('method', method),
      })
      .pipe(map((answer) => answer.url));
  }

  /** Answers the status after the account was disconnected. */
  disconnect(accountId: string): Observable<InstagramStatusDto> {
    return this.http.delete<InstagramStatusDto>('/api/instagram/disconnect', {
      params: new HttpParams().set('accountId', accountId),
    });
  }
}
