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
import { Subject } from 'rxjs';
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
      | 'instagramEvent$'
      | 'connect'
      | 'disconnect'
      | 'sendTyping'
    >
{
  readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();
  readonly connected$ = new Subject<{ isReconnect: boolean }>();
  readonly messageNew$ = new Subject<MessageDto>();
  readonly messageUpdated$ = new Subject<MessageDto>();
  readonly messageRemoved$ = new Subject<MessageRemovedPayload>();
  readonly conversationUpdated$ = new Subject<ConversationDto>();
  readonly messageRead$ = new Subject<ReadReceiptDto>();
  readonly typing$ = new Subject<TypingPayload>();
  readonly instagramStatus$ = new Subject<InstagramStatusPayload>();
  readonly instagramEvent$ = new Subject<WebhookEventDto>();
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

  sendTyping(conversationId: string, isTyping: boolean): void {
    this.typingSent.push({ conversationId, isTyping });
  }
}
