import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  InstagramAuthQueryDto,
  InstagramDisconnectQueryDto,
} from './instagram.dto';

function messages<T extends object>(cls: new () => T, plain: object): string[] {
  return validateSync(plainToInstance(cls, plain)).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
}

describe('Instagram DTO validation rules', () => {
  it.each([[{}], [{ method: 'instagram' }], [{ method: 'facebook' }]])(
    'accepts the login method query %j',
    (query) => {
      expect(messages(InstagramAuthQueryDto, query)).toEqual([]);
    },
  );

  it.each([['myspace'], ['INSTAGRAM'], [['instagram', 'facebook']]])(
    'refuses the login method %j',
    (method) => {
      expect(messages(InstagramAuthQueryDto, { method })).toEqual([
        'method must be one of: instagram, facebook',
      ]);
    },
  );

  it('accepts a numeric account id, or none', () => {
    expect(
      messages(InstagramDisconnectQueryDto, { accountId: '17841405822304914' }),
    ).toEqual([]);
    expect(messages(InstagramDisconnectQueryDto, {})).toEqual([]);
  });

  it.each([['abc'], [''], ['1'.repeat(33)], [['1', '2']]])(
    'refuses the account id %j',
    (accountId) => {
      expect(messages(InstagramDisconnectQueryDto, { accountId })).toEqual([
        'accountId must be an Instagram account id',
      ]);
    },
  );
});
