import { provideHttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import {
  ClientEvent,
  SOCKET_UNAUTHORIZED,
  ServerEvent,
  type InstagramStatusPayload,
  type MessageDto,
  type MessageRemovedPayload,
} from '@instantchat/contracts';
import {
  grace,
  memoryStorage,
  message,
  session,
} from '../../../testing/fixtures';
import { AuthService } from '../session/auth.service';
import {
  RealtimeService,
  SERVER_PING_INTERVAL_MS,
  SOCKET_FACTORY,
  type ChatSocket,
} from './realtime.service';
import { SESSION_STORAGE } from '../session/session-storage';

/** Just enough of a Socket.io client socket to play connection events and server pushes. */
class FakeSocket {
  readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  readonly emitted: { event: string; payload: unknown }[] = [];
  connected = false;
  active = true;
  connectCalls = 0;
  /** The Manager: it hears the server's pings and owns the transport. */
  readonly io = {
    handlers: new Map<string, (() => void)[]>(),
    engine: { close: jest.fn() },
    on(event: string, handler: () => void) {
      this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
      return this;
    },
    ping() {
      this.handlers.get('ping')?.forEach((handler) => handler());
    },
  };

  on(event: string, handler: (...args: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  emit(event: string, payload: unknown) {
    this.emitted.push({ event, payload });
    return this;
  }
  /** How the server answers an acknowledged event: [timeout error, ack]; by default it takes it. */
  answer: (payload: unknown) => [Error | null, unknown] = (payload) => [
    null,
    { ok: true, data: payload },
  ];
  timeout() {
    return {
      emit: (
        event: string,
        payload: unknown,
        ack: (error: Error | null, answer: unknown) => void,
      ) => {
        this.emitted.push({ event, payload });
        ack(...this.answer(payload));
      },
    };
  }
  connect() {
    this.connectCalls++;
    return this;
  }
  disconnect() {
    this.connected = false;
    this.disconnectCalls++;
    return this;
  }
  disconnectCalls = 0;
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
  /** Plays an event as if it came from the server or the transport. */
  fire(event: string, ...args: unknown[]) {
    if (event === 'connect') {
      this.connected = true;
    }
    if (event === 'disconnect') {
      this.connected = false;
    }
    this.handlers.get(event)?.forEach((handler) => handler(...args));
  }
}

describe('RealtimeService', () => {
  let socket: FakeSocket;
  let options: unknown;

  beforeEach(() => {
    socket = new FakeSocket();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideRouter([]),
        { provide: SESSION_STORAGE, useValue: memoryStorage(session()) },
        {
          provide: SOCKET_FACTORY,
          useValue: (given: unknown) => {
            options = given;
            return socket as unknown as ChatSocket;
          },
        },
      ],
    });
  });

  it('connects on the API’s socket path with the token in the handshake', () => {
    const realtime = TestBed.inject(RealtimeService);
    realtime.connect('the-token');
    expect(options).toEqual({
      path: '/socket.io',
      auth: { token: 'the-token' },
    });
    expect(realtime.status()).toBe('connecting');
  });

  it('reports connected, reconnecting, then connected again, flagging the catch-up', () => {
    const realtime = TestBed.inject(RealtimeService);
    const connects: boolean[] = [];
    realtime.connected$.subscribe(({ isReconnect }) =>
      connects.push(isReconnect),
    );
    realtime.connect('t');

    socket.fire('connect');
    expect(realtime.status()).toBe('connected');
    socket.fire('disconnect', 'transport close');
    expect(realtime.status()).toBe('reconnecting');
    socket.fire('connect');

    expect(realtime.status()).toBe('connected');
    expect(connects).toEqual([false, true]);
  });

  it('passes server pushes on as streams', () => {
    const realtime = TestBed.inject(RealtimeService);
    const received: MessageDto[] = [];
    realtime.messageNew$.subscribe((incoming) => received.push(incoming));
    realtime.connect('t');
    const pushed = message(
      'm-1',
      'c-1',
      grace.id,
      'Hello',
      '2026-11-20T10:00:00.000Z',
    );

    socket.fire(ServerEvent.MessageNew, pushed);

    expect(received).toEqual([pushed]);
  });

  it('passes removed messages on as a stream', () => {
    const realtime = TestBed.inject(RealtimeService);
    const received: MessageRemovedPayload[] = [];
    realtime.messageRemoved$.subscribe((removal) => received.push(removal));
    realtime.connect('t');

    socket.fire(ServerEvent.MessageRemoved, {
      conversationId: 'c-1',
      messageId: 'm-echo',
    });

    expect(received).toEqual([{ conversationId: 'c-1', messageId: 'm-echo' }]);
  });

  it('passes Instagram connection changes on as a stream', () => {
    const realtime = TestBed.inject(RealtimeService);
    const received: InstagramStatusPayload[] = [];
    realtime.instagramStatus$.subscribe((change) => received.push(change));
    realtime.connect('t');
    const change: InstagramStatusPayload = {
      connected: false,
      instagramUsername: 'bluejacket.store',
      reason: 'token_invalid',
    };

    socket.fire(ServerEvent.InstagramStatus, change);

    expect(received).toEqual([change]);
  });

  it('signs out when the server refuses the token', () => {
    const realtime = TestBed.inject(RealtimeService);
    jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    realtime.connect('t');
    socket.active = false;

    socket.fire('connect_error', new Error(SOCKET_UNAUTHORIZED));

    expect(TestBed.inject(AuthService).isAuthenticated()).toBe(false);
  });

  it('keeps trying after the server drops the connection on purpose', () => {
    jest.useFakeTimers();
    try {
      const realtime = TestBed.inject(RealtimeService);
      realtime.connect('t');
      socket.fire('connect');
      socket.fire('disconnect', 'io server disconnect');
      expect(realtime.status()).toBe('reconnecting');

      jest.advanceTimersByTime(1_000);
      expect(socket.connectCalls).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends typing only while connected', () => {
    const realtime = TestBed.inject(RealtimeService);
    realtime.connect('t');
    realtime.sendTyping('c-1', true);
    socket.fire('connect');
    realtime.sendTyping('c-1', true);

    expect(socket.emitted).toEqual([
      {
        event: ClientEvent.Typing,
        payload: { conversationId: 'c-1', isTyping: true },
      },
    ]);
  });

  it('asks for instagram:event only while someone watches, again on every reconnect, and passes it on', () => {
    const realtime = TestBed.inject(RealtimeService);
    const watches = () =>
      socket.emitted
        .filter(({ event }) => event === ClientEvent.WatchInstagramEvents)
        .map(({ payload }) => payload);
    realtime.connect('t');
    socket.fire('connect');
    expect(watches()).toEqual([]);

    const heard: string[] = [];
    const first = realtime
      .watchInstagramEvents()
      .subscribe((event) => heard.push(event.id));
    const second = realtime.watchInstagramEvents().subscribe();
    expect(watches()).toEqual([{ watching: true }]);
    socket.fire(ServerEvent.InstagramEvent, { id: 'e-1' });
    expect(heard).toEqual(['e-1']);

    socket.fire('disconnect', 'transport close');
    socket.fire('connect');
    expect(watches()).toEqual([{ watching: true }, { watching: true }]);

    first.unsubscribe();
    expect(watches()).toHaveLength(2);
    second.unsubscribe();
    expect(watches()).toEqual([
      { watching: true },
      { watching: true },
      { watching: false },
    ]);
    socket.fire(ServerEvent.InstagramEvent, { id: 'e-2' });
    expect(heard).toEqual(['e-1']);

    socket.fire('disconnect', 'transport close');
    socket.fire('connect');
    expect(watches()).toHaveLength(3);
  });

  it('announces each watch the server took, and asks again, later each time, when it refused or did not answer', () => {
    jest.useFakeTimers();
    try {
      const realtime = TestBed.inject(RealtimeService);
      let taken = 0;
      realtime.instagramEventsWatched$.subscribe(() => taken++);
      const watches = () =>
        socket.emitted.filter(
          ({ event }) => event === ClientEvent.WatchInstagramEvents,
        ).length;
      realtime.connect('t');
      socket.fire('connect');
      socket.answer = () => [
        null,
        { ok: false, error: { statusCode: 429, message: 'Too many' } },
      ];
      const watching = realtime.watchInstagramEvents().subscribe();
      expect([watches(), taken]).toEqual([1, 0]);

      socket.answer = () => [new Error('operation has timed out'), undefined];
      jest.advanceTimersByTime(1_000);
      expect([watches(), taken]).toEqual([2, 0]);
      socket.answer = (payload) => [null, { ok: true, data: payload }];
      jest.advanceTimersByTime(1_999);
      expect(watches()).toBe(2);
      jest.advanceTimersByTime(1);
      expect([watches(), taken]).toEqual([3, 1]);

      // Taken again after a reconnect; stopping is not announced.
      socket.fire('disconnect', 'transport close');
      socket.fire('connect');
      expect([watches(), taken]).toEqual([4, 2]);
      watching.unsubscribe();
      expect([watches(), taken]).toEqual([5, 2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('calls instagram:event live only once the server took the watch', () => {
    const realtime = TestBed.inject(RealtimeService);
    realtime.connect('t');
    const watching = realtime.watchInstagramEvents().subscribe();
    let answer: ((error: Error | null, ack: unknown) => void) | undefined;
    socket.timeout = () => ({
      emit: (
        event: string,
        payload: unknown,
        ack: (error: Error | null, answer: unknown) => void,
      ) => {
        socket.emitted.push({ event, payload });
        answer = ack;
      },
    });
    jest.useFakeTimers();
    try {
      socket.fire('connect');
      expect(realtime.status()).toBe('connected');
      expect(realtime.instagramEventsStatus()).toBe('connecting');
      // Refused, then not answered: not live; asked again.
      answer?.(null, {
        ok: false,
        error: { statusCode: 429, message: 'Too many' },
      });
      jest.advanceTimersByTime(1_000);
      answer?.(new Error('operation has timed out'), undefined);
      expect(realtime.instagramEventsStatus()).toBe('connecting');
      jest.advanceTimersByTime(2_000);
    } finally {
      jest.useRealTimers();
    }

    answer?.(null, { ok: true, data: { watching: true } });
    expect(realtime.instagramEventsStatus()).toBe('connected');

    socket.fire('disconnect', 'transport close');
    expect(realtime.instagramEventsStatus()).toBe('reconnecting');
    socket.fire('connect');
    expect(realtime.instagramEventsStatus()).toBe('connecting');
    answer?.(null, { ok: true, data: { watching: true } });
    expect(realtime.instagramEventsStatus()).toBe('connected');

    watching.unsubscribe();
    expect(realtime.instagramEventsStatus()).toBe('connecting');
  });

  it('stops asking again once nobody watches or the connection is gone', () => {
    jest.useFakeTimers();
    try {
      const realtime = TestBed.inject(RealtimeService);
      const watches = () =>
        socket.emitted.filter(
          ({ event }) => event === ClientEvent.WatchInstagramEvents,
        );
      realtime.connect('t');
      socket.fire('connect');
      socket.answer = () => [
        null,
        { ok: false, error: { statusCode: 503, message: 'Unavailable' } },
      ];
      const watching = realtime.watchInstagramEvents().subscribe();
      socket.answer = (payload) => [null, { ok: true, data: payload }];
      watching.unsubscribe();
      jest.advanceTimersByTime(60_000);
      expect(watches().map(({ payload }) => payload)).toEqual([
        { watching: true },
        { watching: false },
      ]);

      socket.answer = () => [new Error('operation has timed out'), undefined];
      const again = realtime.watchInstagramEvents().subscribe();
      realtime.disconnect();
      jest.advanceTimersByTime(60_000);
      expect(watches()).toHaveLength(3);
      again.unsubscribe();
    } finally {
      jest.useRealTimers();
    }
  });

  it('asks for instagram:event once connected when watching began before', () => {
    const realtime = TestBed.inject(RealtimeService);
    realtime.connect('t');
    const watching = realtime.watchInstagramEvents().subscribe();
    expect(socket.emitted).toEqual([]);
    socket.fire('connect');
    expect(socket.emitted).toEqual([
      {
        event: ClientEvent.WatchInstagramEvents,
        payload: { watching: true },
      },
    ]);
    watching.unsubscribe();
  });

  it('goes offline and stops listening on disconnect', () => {
    const realtime = TestBed.inject(RealtimeService);
    realtime.connect('t');
    socket.fire('connect');
    realtime.disconnect();

    expect(realtime.status()).toBe('offline');
    expect(socket.handlers.size).toBe(0);
  });

  describe('following the network', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => {
      TestBed.inject(RealtimeService).disconnect();
      jest.restoreAllMocks();
      jest.useRealTimers();
    });

    function setOnline(isOnline: boolean) {
      jest.spyOn(window.navigator, 'onLine', 'get').mockReturnValue(isOnline);
      window.dispatchEvent(new Event(isOnline ? 'online' : 'offline'));
    }

    it('says offline the moment the browser loses the network, and drops the transport', () => {
      const realtime = TestBed.inject(RealtimeService);
      realtime.connect('t');
      socket.fire('connect');

      setOnline(false);
      expect(realtime.status()).toBe('offline');
      expect(socket.io.engine.close).toHaveBeenCalled();

      // The transport closing on its heels must not hide that the network is the cause.
      socket.fire('disconnect', 'transport close');
      expect(realtime.status()).toBe('offline');
    });

    it('reconnects at once when the network comes back instead of waiting out the backoff', () => {
      const realtime = TestBed.inject(RealtimeService);
      realtime.connect('t');
      socket.fire('connect');
      setOnline(false);
      socket.fire('disconnect', 'transport close');

      setOnline(true);
      expect(realtime.status()).toBe('reconnecting');
      expect(socket.disconnectCalls).toBe(1);
      expect(socket.connectCalls).toBe(1);
    });

    it('counts a connection whose server ping is overdue as lost, and stays live while pings arrive', () => {
      const realtime = TestBed.inject(RealtimeService);
      realtime.connect('t');
      socket.fire('connect');

      jest.advanceTimersByTime(SERVER_PING_INTERVAL_MS);
      socket.io.ping();
      jest.advanceTimersByTime(SERVER_PING_INTERVAL_MS);
      expect(realtime.status()).toBe('connected');
      expect(socket.io.engine.close).not.toHaveBeenCalled();

      jest.advanceTimersByTime(5_000);
      expect(realtime.status()).toBe('reconnecting');
      expect(socket.io.engine.close).toHaveBeenCalled();
    });
  });
});
