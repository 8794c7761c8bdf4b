import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  WebhookEventDto,
  WebhookEventPageDto,
  WebhookEventStatus,
} from '@instantchat/contracts';
import type { Observable } from 'rxjs';

/** What the events list is narrowed to; unset keys mean "any". */
export interface WebhookEventFilters {
  status?: WebhookEventStatus;
  accountId?: string;
}

/** The owner's webhook inbox endpoints (apps/api/src/app/webhook/webhook-events.controller.ts). */
@Injectable({ providedIn: 'root' })
export class WebhookEventsApi {
  private readonly http = inject(HttpClient);

  /** One page, newest first; `before` is the previous page's `nextCursor`. */
  list(
    filters: WebhookEventFilters,
    before?: string,
  ): Observable<WebhookEventPageDto> {
    let params = new HttpParams();
    if (filters.status) params = params.set('status', filters.status);
    if (filters.accountId) params = params.set('accountId', filters.accountId);
    if (before) params = params.set('before', before);
    return this.http.get<WebhookEventPageDto>('/api/instagram/events', {
      params,
    });
  }

  /** Processes the caller's failed and ignored items again; answers the delivery as it now stands. */
  retry(id: string): Observable<WebhookEventDto> {
    return this.http.post<WebhookEventDto>(
      `/api/instagram/events/${encodeURIComponent(id)}/retry`,
      null,
    );
  }
}
