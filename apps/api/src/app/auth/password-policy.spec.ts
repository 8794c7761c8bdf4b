import { BadRequestException } from '@nestjs/common';
import { assertAcceptablePassword } from './password-policy';

function problemWith(password: string): string | undefined {
  try {
    assertAcceptablePassword(password);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).message;
  }
}

describe('assertAcceptablePassword', () => {
  it('accepts a passphrase', () => {
    expect(problemWith('correct horse battery staple')).toBeUndefined();
  });

  it.each(['1234567890', 'qwertyuiop', 'password123'])(
    'refuses the common password %p',
    (password) => {
      expect(problemWith(password)).toBe(
        'password is one of the most commonly used passwords; choose another',
      );
    },
  );

  it('compares with the common list case-insensitively', () => {
    expect(problemWith('PassWord123')).toMatch(/most commonly used/);
  });

  it('refuses only spaces', () => {
    expect(problemWith(' '.repeat(12))).toBe(
      'password must not be only spaces or invisible characters',
    );
  });

  it('refuses only zero-width characters', () => {
    expect(problemWith('\u200B'.repeat(12))).toBe(
      'password must not be only spaces or invisible characters',
    );
  });

  it('refuses NUL and other control characters', () => {
    expect(problemWith('\u0000'.repeat(12))).toBe(
      'password must not contain control characters',
    );
    expect(problemWith('good-password\u0007')).toBe(
      'password must not contain control characters',
    );
  });
});
