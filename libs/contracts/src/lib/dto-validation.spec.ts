import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { LoginDto, RegisterDto } from './auth.dto';
import {
  CreateConversationDto,
  MESSAGE_TEXT_MAX_LENGTH,
  SendMessageDto,
} from './chat.dto';
import { MESSAGE_PAGE_MAX_LIMIT, MessagePageQueryDto } from './pagination.dto';

function invalidFields<T extends object>(
  cls: new () => T,
  plain: object,
): string[] {
  return validateSync(plainToInstance(cls, plain)).map(
    (error) => error.property,
  );
}

describe('shared DTO validation rules', () => {
  it('accepts a well-formed registration', () => {
    expect(
      invalidFields(RegisterDto, {
        email: 'ada@example.com',
        password: 'correct horse',
        displayName: 'Ada',
      }),
    ).toEqual([]);
  });

  it('names every invalid registration field', () => {
    expect(
      invalidFields(RegisterDto, {
        email: 'not-an-email',
        password: 'short',
        displayName: '',
      }).sort(),
    ).toEqual(['displayName', 'email', 'password']);
  });

  it('requires both login fields', () => {
    expect(invalidFields(LoginDto, {}).sort()).toEqual(['email', 'password']);
  });

  it('rejects an empty or oversized message text', () => {
    expect(invalidFields(SendMessageDto, { text: '' })).toEqual(['text']);
    expect(
      invalidFields(SendMessageDto, {
        text: 'x'.repeat(MESSAGE_TEXT_MAX_LENGTH + 1),
      }),
    ).toEqual(['text']);
    expect(invalidFields(SendMessageDto, { text: 'hello' })).toEqual([]);
  });

  it('accepts a message without a clientMessageId or with a UUID one, and refuses anything else', () => {
    expect(
      invalidFields(SendMessageDto, {
        text: 'hello',
        clientMessageId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      }),
    ).toEqual([]);
    expect(
      invalidFields(SendMessageDto, {
        text: 'hello',
        clientMessageId: 'local-1700000000000-1',
      }),
    ).toEqual(['clientMessageId']);
    expect(
      invalidFields(SendMessageDto, { text: 'hello', clientMessageId: 42 }),
    ).toEqual(['clientMessageId']);
  });

  it('requires a participant id shaped like a user id', () => {
    expect(
      invalidFields(CreateConversationDto, { participantId: 'bob' }),
    ).toEqual(['participantId']);
    expect(
      invalidFields(CreateConversationDto, {
        participantId: '65f0c0ffee0000000000beef',
      }),
    ).toEqual([]);
  });

  it('turns a query-string limit into a bounded integer', () => {
    const query = plainToInstance(MessagePageQueryDto, { limit: '25' });
    expect(query.limit).toBe(25);
    expect(validateSync(query)).toEqual([]);
    expect(
      invalidFields(MessagePageQueryDto, {
        limit: String(MESSAGE_PAGE_MAX_LIMIT + 1),
      }),
    ).toEqual(['limit']);
    expect(invalidFields(MessagePageQueryDto, { limit: '0' })).toEqual([
      'limit',
    ]);
    expect(invalidFields(MessagePageQueryDto, { limit: 'ten' })).toEqual([
      'limit',
    ]);
  });
});
