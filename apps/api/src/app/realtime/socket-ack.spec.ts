import { SendMessageEventDto } from '@instantchat/contracts';
import {
  BadRequestException,
  ForbiddenException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { toSocketAck, validateSocketPayload } from './socket-ack';

describe('toSocketAck', () => {
  it('wraps a result', async () => {
    await expect(toSocketAck(async () => 42)).resolves.toEqual({
      ok: true,
      data: 42,
    });
  });

  it('keeps an HTTP exception’s status and message', async () => {
    const ack = await toSocketAck(async () => {
      throw new NotFoundException('Conversation not found');
    });

    expect(ack).toEqual({
      ok: false,
      error: { statusCode: 404, message: 'Conversation not found' },
    });
  });

  it('answers an unexpected error with a 500 that reveals nothing, and logs the details', async () => {
    const log = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation(() => undefined);
    const ack = await toSocketAck(async () => {
      throw new Error('connection string mongodb://secret@db');
    });

    expect(ack).toEqual({
      ok: false,
      error: { statusCode: 500, message: 'Something went wrong on our side' },
    });
    expect(log).toHaveBeenCalledWith(
      expect.stringContaining('mongodb://secret@db'),
    );
    log.mockRestore();
  });

  it('uses the default message of a bare HTTP exception', async () => {
    const ack = await toSocketAck(async () => {
      throw new ForbiddenException();
    });

    expect(ack).toEqual({
      ok: false,
      error: { statusCode: 403, message: 'Forbidden' },
    });
  });
});

describe('validateSocketPayload', () => {
  const conversationId = '6564a1f0c0ffee0000000001';

  it('returns a valid payload as the DTO class', async () => {
    const payload = await validateSocketPayload(SendMessageEventDto, {
      conversationId,
      text: 'hi',
    });

    expect(payload).toBeInstanceOf(SendMessageEventDto);
    expect(payload).toEqual({ conversationId, text: 'hi' });
  });

  it.each([
    ['not an object', 'hello', 'payload must be an object'],
    ['an array', [conversationId, 'hi'], 'payload must be an object'],
    [
      'a malformed conversation id',
      { conversationId: 'nope', text: 'hi' },
      'conversationId must be a conversation id',
    ],
    ['empty text', { conversationId, text: '' }, 'text must not be empty'],
    [
      'an unknown field',
      { conversationId, text: 'hi', admin: true },
      'property admin should not exist',
    ],
  ])(
    'refuses %s with a 400 naming the problem',
    async (_label, payload, message) => {
      const attempt = validateSocketPayload(SendMessageEventDto, payload);

      const error = await attempt.then(
        () => {
          throw new Error('expected a rejection');
        },
        (rejection: BadRequestException) => rejection,
      );
      expect(error).toBeInstanceOf(BadRequestException);
      expect(
        ([] as string[]).concat(
          (error.getResponse() as { message: string | string[] }).message,
        ),
      ).toContain(message);
    },
  );
});
