import { signal } from '@angular/core';
import type {
  ConversationDto,
  InstagramStatusPayload,
  MessageDto,
  MessageRemovedPayload,
  ReadReceiptDto,
  TypingPayload,
  WebhookEventDto,
} from '@instantchat/contracts';
import { Observable, Subject } from 'rxjs';
import type {
  ConnectionStatus,
  RealtimeService,
} from '../app/core/realtime/realtime.service';

/** Stands in for the socket so tests can play the server's events. */
export class FakeRealtime
  implements
    Pick<
      RealtimeService,
      | 'status'
      | 'connected$'
      | 'messageNew$'
      | 'messageUpdated$'
      | 'messageRemoved$'
      | 'conversationUpdated$'
      | 'messageRead$'
      | 'typing$'
      | 'instagramStatus$'
      | 'watchInstagramEvents'
      | 'instagramEventsWatched$'
      | 'instagramEventsStatus'
      | 'connect'
      | 'disconnect'
      | 'sendTyping'
    >
{
  readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();
  /** The events page's live state; the tests move it with statusSignal. */
  readonly instagramEventsStatus = this.status;
  readonly connected$ = new Subject<{ isReconnect: boolean }>();
  readonly messageNew$ = new Subject<MessageDto>();
  readonly messageUpdated$ = new Subject<MessageDto>();
  readonly messageRemoved$ = new Subject<MessageRemovedPayload>();
  readonly conversationUpdated$ = new Subject<ConversationDto>();
  readonly messageRead$ = new Subject<ReadReceiptDto>();
  readonly typing$ = new Subject<TypingPayload>();
  readonly instagramStatus$ = new Subject<InstagramStatusPayload>();
  /** Plays `instagram:event` to whoever watches. */
  readonly instagramEvent$ = new Subject<WebhookEventDto>();
  readonly instagramEventsWatched$ = new Subject<void>();
  /** How many subscribers watch `instagram:event` now. */
  instagramEventWatchers = 0;
  readonly typingSent: { conversationId: string; isTyping: boolean }[] = [];
  connectedWith: string | null = null;

  connect(token: string): void {
    this.connectedWith = token;
    this.statusSignal.set('connecting');
  }

  disconnect(): void {
    this.connectedWith = null;
    this.statusSignal.set('offline');
  }

  watchInstagramEvents(): Observable<WebhookEventDto> {
    return new Observable<WebhookEventDto>((subscriber) => {
      this.instagramEventWatchers++;
      const forwarding = this.instagramEvent$.subscribe(subscriber);
      return () => {
        forwarding.unsubscribe();
        this.instagramEventWatchers--;
      };
    });
  }

  sendTyping(conversationId: string, isTyping: boolean): void {
    this.typingSent.push({ conversationId, isTyping });
  }
}
