import { HttpStatus } from '@nestjs/common';

export interface BodyParserError {
  statusCode: number;
  message: string;
}

/**
 * body-parser's client errors, by their http-errors `type`, with what API clients are told. Read
 * by the JSON parser's error middleware (bootstrap/configure-app.ts) and by ApiExceptionFilter for
 * any such error that reaches it another way.
 */
const BODY_PARSER_ERRORS: Readonly<Record<string, BodyParserError>> = {
  'entity.parse.failed': {
    statusCode: HttpStatus.BAD_REQUEST,
    message: 'Request body is not valid JSON',
  },
  'entity.too.large': {
    statusCode: HttpStatus.PAYLOAD_TOO_LARGE,
    message: 'Request body is too large',
  },
};

/** The client-facing status and message of a body-parser error, or undefined for anything else. */
export function bodyParserErrorOf(error: unknown): BodyParserError | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' &&
    Object.prototype.hasOwnProperty.call(BODY_PARSER_ERRORS, type)
    ? BODY_PARSER_ERRORS[type]
    : undefined;
}
