import {
  IsEmail,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { DateTime } from './date-time';

/** Limits shared by the API's validation and the dashboard's forms. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
export const DISPLAY_NAME_MAX_LENGTH = 60;

export class RegisterDto {
  /** Login email; unique, compared case-insensitively. */
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email!: string;

  /** At least 10 characters; the API also refuses common and blank passwords. */
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  /** The name other people see. */
  @IsString()
  @MinLength(1)
  @MaxLength(DISPLAY_NAME_MAX_LENGTH)
  @Matches(/\S/, { message: 'displayName must not be blank' })
  displayName!: string;
}

export class LoginDto {
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

/** A person as other people (and the person themself) see them. Never carries secrets. */
export class UserDto {
  id!: string;
  email!: string;
  displayName!: string;
  /** ISO 8601. */
  @DateTime()
  createdAt!: string;
}

export class AuthResponseDto {
  /** A JWT to send as `Authorization: Bearer <token>` and as the socket's `auth.token`. */
  accessToken!: string;
  user!: UserDto;
}
