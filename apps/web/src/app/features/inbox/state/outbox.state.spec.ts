import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { MessageDto } from '@instantchat/contracts';
import { me, message } from '../../../../testing/fixtures';
import { Outbox } from './outbox.state';
import { pendingEntry } from './timeline';

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SEND_URL = '/api/conversations/c-grace/messages';

describe('Outbox', () => {
  let outbox: Outbox;
  let http: HttpTestingController;
  let delivered: MessageDto[];

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), Outbox],
    });
    http = TestBed.inject(HttpTestingController);
    outbox = TestBed.inject(Outbox);
    delivered = [];
    outbox.delivered$.subscribe((stored) => delivered.push(stored));
  });

  afterEach(() => http.verify());

  const failOffline = (request: ReturnType<typeof http.expectOne>) =>
    request.flush(null, { status: 0, statusText: 'Unknown Error' });

  it('gives every message its own clientMessageId', () => {
    outbox.send('c-grace', 'one');
    outbox.send('c-grace', 'one');

    const ids = http
      .match(SEND_URL)
      .map((request) => request.request.body.clientMessageId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('marks a message failed with the reason, and sends it again under the same id on retry', () => {
    outbox.send('c-grace', 'Hello Grace');
    const firstAttempt = http.expectOne(SEND_URL);
    const { clientMessageId } = firstAttempt.request.body;
    failOffline(firstAttempt);

    expect(outbox.pending()).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: 'Cannot reach the server. Check your connection and try again.',
      }),
    ]);

    outbox.retry(clientMessageId);
    expect(outbox.pending()[0].status).toBe('pending');
    const retried = http.expectOne(SEND_URL);
    // The same id: had the first attempt reached the server, it answers with that message.
    expect(retried.request.body).toEqual({
      text: 'Hello Grace',
      clientMessageId,
    });
    const stored = message(
      'm-11',
      'c-grace',
      me.id,
      'Hello Grace',
      '2026-11-20T13:01:00.000Z',
      { clientMessageId },
    );
    retried.flush(stored);

    expect(outbox.pending()).toEqual([]);
    expect(delivered).toEqual([stored]);
  });

  it('does not send a message again while it is still on its way', () => {
    outbox.send('c-grace', 'Hello Grace');
    const attempt = http.expectOne(SEND_URL);
    outbox.retry(attempt.request.body.clientMessageId);
    http.expectNone(SEND_URL);
    failOffline(attempt);
  });

  it('settles a pending bubble only with the echo carrying its own clientMessageId', () => {
    outbox.send('c-grace', 'On my way');
    const post = http.expectOne(SEND_URL);
    const echo = (clientMessageId: string | null) =>
      message('m-1', 'c-grace', me.id, 'On my way', '2026-11-20T13:00:00Z', {
        clientMessageId,
      });

    outbox.settle(echo(null));
    outbox.settle(echo(crypto.randomUUID()));
    expect(outbox.pending()).toHaveLength(1);

    outbox.settle(echo(post.request.body.clientMessageId));
    expect(outbox.pending()).toEqual([]);
    post.flush(echo(post.request.body.clientMessageId));
  });

  it('marks a message refused because its Instagram account must be reconnected, for the bubble to say how', () => {
    outbox.send('c-grace', 'Hello?');
    http.expectOne(SEND_URL).flush(
      {
        statusCode: 409,
        error: 'Conflict',
        message:
          'This Instagram account is not connected: connect it again to reply',
        code: 'reconnect_required',
      },
      { status: 409, statusText: 'Conflict' },
    );
    outbox.send('c-grace', 'Refused otherwise');
    http
      .expectOne(SEND_URL)
      .flush(
        { statusCode: 400, error: 'Bad Request', message: 'text is too long' },
        { status: 400, statusText: 'Bad Request' },
      );

    expect(
      outbox.pending().map((item) => [item.text, item.reconnectRequired]),
    ).toEqual([
      ['Hello?', true],
      ['Refused otherwise', false],
    ]);
    expect(pendingEntry(outbox.pending()[0]).deliveryError).toEqual({
      mayHaveBeenDelivered: false,
      reconnectRequired: true,
    });
  });

  it('sends again what failed for want of a connection, under the same id, but not what the server refused', () => {
    outbox.send('c-grace', 'Lost in the tunnel');
    const offline = http.expectOne(SEND_URL);
    const { clientMessageId } = offline.request.body;
    failOffline(offline);
    outbox.send('c-grace', 'Refused');
    http
      .expectOne(SEND_URL)
      .flush(
        { statusCode: 400, error: 'Bad Request', message: 'text is too long' },
        { status: 400, statusText: 'Bad Request' },
      );

    outbox.retryFailed();

    const again = http.expectOne(SEND_URL);
    expect(again.request.body).toEqual({
      text: 'Lost in the tunnel',
      clientMessageId,
    });
    again.flush(
      message(
        'm-1',
        'c-grace',
        me.id,
        'Lost in the tunnel',
        '2026-11-20T13:00:00Z',
        {
          clientMessageId,
        },
      ),
    );
    expect(outbox.pending()).toEqual([
      expect.objectContaining({ text: 'Refused', status: 'failed' }),
    ]);
  });
});
