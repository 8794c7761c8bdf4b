import { BadRequestException } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { hasVisibleText } from '../core/visible-text';

/**
 * zxcvbn-ts's list of the ~50,000 most common leaked passwords, lower-cased once (lazily: only
 * registration needs it).
 */
let commonPasswords: ReadonlySet<string> | undefined;

function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(
    dictionary['passwords-common'].map((entry) => entry.toLowerCase()),
  );
  return commonPasswords.has(password.toLowerCase());
}

/**
 * What a new password must be beyond the contract's length limits (RegisterDto): something a
 * person typed, and not one of the passwords attackers try first.
 * @throws BadRequestException naming the problem.
 */
export function assertAcceptablePassword(password: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(password)) {
    throw new BadRequestException(
      'password must not contain control characters',
    );
  }
  if (!hasVisibleText(password)) {
    throw new BadRequestException(
      'password must not be only spaces or invisible characters',
    );
  }
  if (isCommonPassword(password)) {
    throw new BadRequestException(
      'password is one of the most commonly used passwords; choose another',
    );
  }
}
