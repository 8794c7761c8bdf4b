import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import {
  MESSAGE_PAGE_MAX_LIMIT,
  type ConversationDto,
  type FirstMessageResult,
  type SendFirstMessageDto,
  type MessageDto,
  type Page,
  type ReadReceiptDto,
  type SendMessageDto,
} from '@instantchat/contracts';
import { EMPTY, Observable, expand, reduce } from 'rxjs';

/** How far back opening a conversation may page to reach its first unread message or a search hit. */
export const REACH_MAX_PAGES = 10;

export interface MessagePageRequest {
  /** Cursor from the previous page's `nextCursor`: fetch messages older than it. */
  before?: string;
  /** Id of a message held: fetch only messages newer than it (catching up after a reconnect). */
  after?: string;
  limit?: number;
}

/** REST access to conversations and their messages. */
@Injectable({ providedIn: 'root' })
export class ConversationsService {
  private readonly http = inject(HttpClient);

  /** Newest activity first; with `updatedSince` (ISO 8601) only those changed at or after it. */
  list(updatedSince?: string): Observable<ConversationDto[]> {
    const params = updatedSince
      ? new HttpParams().set('updatedSince', updatedSince)
      : undefined;
    return this.http.get<ConversationDto[]>('/api/conversations', { params });
  }

  get(conversationId: string): Observable<ConversationDto> {
    return this.http.get<ConversationDto>(
      `/api/conversations/${encodeURIComponent(conversationId)}`,
    );
  }

  /** The caller's conversations with someone whose name contains every word of `search`. */
  search(search: string): Observable<ConversationDto[]> {
    return this.http.get<ConversationDto[]>('/api/conversations', {
      params: new HttpParams().set('search', search),
    });
  }

  /**
   * The first message to a person: the API opens the conversation with it (or uses the one the
   * two already have), so nothing appears in their inbox before something is said.
   */
  sendFirst(
    participantId: string,
    text: string,
    clientMessageId: string,
  ): Observable<FirstMessageResult> {
    const body: SendFirstMessageDto = { participantId, text, clientMessageId };
    return this.http.post<FirstMessageResult>(
      '/api/conversations/messages',
      body,
    );
  }

  /**
   * The newest history, paging back (at most REACH_MAX_PAGES full pages) until `isEnough` says the
   * messages held reach far enough, e.g. the first unread one. Emits once, as a single page.
   */
  messagesReaching(
    conversationId: string,
    isEnough: (newestFirst: MessageDto[]) => boolean,
  ): Observable<Page<MessageDto>> {
    const fetchPage = (before?: string) =>
      this.messages(conversationId, { before, limit: MESSAGE_PAGE_MAX_LIMIT });
    let pages = 0;
    const held: MessageDto[] = [];
    return fetchPage().pipe(
      expand((page) => {
        pages += 1;
        held.push(...page.items);
        return page.nextCursor && pages < REACH_MAX_PAGES && !isEnough(held)
          ? fetchPage(page.nextCursor)
          : EMPTY;
      }),
      reduce<Page<MessageDto>, Page<MessageDto>>(
        (all, page) => ({
          items: [...all.items, ...page.items],
          nextCursor: page.nextCursor,
        }),
        { items: [], nextCursor: null },
      ),
    );
  }

  /** Opens the 1:1 conversation with a person, or returns the one that already exists. */
  openWith(participantId: string): Observable<ConversationDto> {
    return this.http.post<ConversationDto>('/api/conversations', {
      participantId,
    });
  }

  /** One page of history, newest first. */
  messages(
    conversationId: string,
    request: MessagePageRequest = {},
  ): Observable<Page<MessageDto>> {
    let params = new HttpParams();
    if (request.before) {
      params = params.set('before', request.before);
    }
    if (request.after) {
      params = params.set('after', request.after);
    }
    if (request.limit) {
      params = params.set('limit', request.limit);
    }
    return this.http.get<Page<MessageDto>>(
      `/api/conversations/${encodeURIComponent(conversationId)}/messages`,
      { params },
    );
  }

  /**
   * `clientMessageId` is the message's own UUID, the same on every retry: the API stores a message
   * once per id and answers a repeat with what it stored.
   */
  send(
    conversationId: string,
    text: string,
    clientMessageId: string,
  ): Observable<MessageDto> {
    const body: SendMessageDto = { text, clientMessageId };
    return this.http.post<MessageDto>(
      `/api/conversations/${encodeURIComponent(conversationId)}/messages`,
      body,
    );
  }

  /**
   * Every message newer than `afterMessageId`, following the cursor until the gap is closed.
   * Emits once, newest first, like a single page.
   */
  messagesAfter(
    conversationId: string,
    afterMessageId: string,
  ): Observable<MessageDto[]> {
    const fetchPage = (before?: string) =>
      this.messages(conversationId, {
        after: afterMessageId,
        before,
        limit: MESSAGE_PAGE_MAX_LIMIT,
      });
    return fetchPage().pipe(
      expand((page) => (page.nextCursor ? fetchPage(page.nextCursor) : EMPTY)),
      reduce<Page<MessageDto>, MessageDto[]>(
        (all, page) => [...all, ...page.items],
        [],
      ),
    );
  }

  /**
   * Hands a failed reply to Instagram again (the same message, by its id); answers with where it
   * stands after this try. `message:updated` tells the same to every tab.
   */
  retryDelivery(
    conversationId: string,
    messageId: string,
  ): Observable<MessageDto> {
    return this.http.post<MessageDto>(
      `/api/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/retry`,
      {},
    );
  }

  markRead(conversationId: string): Observable<ReadReceiptDto> {
    return this.http.post<ReadReceiptDto>(
      `/api/conversations/${encodeURIComponent(conversationId)}/read`,
      {},
    );
  }
}
