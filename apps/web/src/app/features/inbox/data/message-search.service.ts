import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { MessageDto, Page } from '@instantchat/contracts';
import type { Observable } from 'rxjs';

/** REST access to message search: the caller's messages whose words start with the query's. */
@Injectable({ providedIn: 'root' })
export class MessageSearchService {
  private readonly http = inject(HttpClient);

  /** Newest first; `before` is a previous page's `nextCursor`. */
  search(q: string, before?: string): Observable<Page<MessageDto>> {
    let params = new HttpParams().set('q', q);
    if (before) {
      params = params.set('before', before);
    }
    return this.http.get<Page<MessageDto>>('/api/messages/search', {
      params,
    });
  }
}
