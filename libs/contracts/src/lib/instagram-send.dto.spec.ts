import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  INSTAGRAM_TEXT_TOO_LONG_MESSAGE,
  InstagramSendMessageDto,
  instagramTextLength,
} from './instagram.dto';

function messages(plain: object): string[] {
  return validateSync(plainToInstance(InstagramSendMessageDto, plain)).flatMap(
    (error) => Object.values(error.constraints ?? {}),
  );
}

describe('instagramTextLength', () => {
  it('counts characters as Instagram does: an emoji once, whatever its UTF-16 or UTF-8 size', () => {
    expect(instagramTextLength('hello')).toBe(5);
    expect(instagramTextLength('👍')).toBe(1);
    expect(instagramTextLength('é'.repeat(3))).toBe(3);
    expect(instagramTextLength('')).toBe(0);
  });
});

describe('InstagramSendMessageDto', () => {
  const valid = { recipientId: '1914357145407531', message: 'Hi' };

  it('accepts a reply with or without an account and a clientMessageId', () => {
    expect(messages(valid)).toEqual([]);
    expect(
      messages({
        ...valid,
        accountId: '17841405822304914',
        clientMessageId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      }),
    ).toEqual([]);
  });

  it('takes 1,000 emoji and refuses 1,001 characters', () => {
    expect(messages({ ...valid, message: '👍'.repeat(1000) })).toEqual([]);
    expect(messages({ ...valid, message: 'a'.repeat(1001) })).toEqual([
      INSTAGRAM_TEXT_TOO_LONG_MESSAGE,
    ]);
  });

  it.each([
    [{ message: 'Hi' }, 'recipientId must be an Instagram-scoped user id'],
    [
      { ...valid, recipientId: '../me' },
      'recipientId must be an Instagram-scoped user id',
    ],
    [{ ...valid, message: '' }, 'message must not be empty'],
    [{ ...valid, message: 7 }, 'message must be a string'],
    [{ ...valid, accountId: 'x' }, 'accountId must be an Instagram account id'],
    [{ ...valid, clientMessageId: 'x' }, 'clientMessageId must be a UUID'],
  ])('refuses %j', (plain, message) => {
    expect(messages(plain)).toContain(message);
  });
});
