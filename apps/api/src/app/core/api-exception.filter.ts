import type { ApiErrorBody } from '@instantchat/contracts';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { bodyParserErrorOf } from './body-parser-errors';
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailableError,
} from './database-unavailable';

/**
 * Turns every error on an HTTP route into `{ statusCode, error, message }`: Nest's HTTP exceptions,
 * body-parser failures (malformed JSON, body too large), unknown routes, an unreachable database
 * (503) and unexpected errors.
 * Unexpected errors are logged with their stack and answered with a generic 500 so internals
 * never reach the client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      // Socket.io errors are answered by the gateways' own acks; nothing to write here.
      return;
    }
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (response.headersSent) {
      return;
    }
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      if (statusCode >= 500) {
        // A server-side failure someone chose to report: the client gets its message, but the
        // operator still needs the stack to find where it came from.
        this.logger.error(exception.stack ?? exception.message);
      }
      return {
        statusCode,
        error: statusText(statusCode),
        message: messageOf(exception),
        ...reasonOf(exception),
      };
    }
    const clientError = asClientError(exception);
    if (clientError) return clientError;
    if (isDatabaseUnavailableError(exception)) {
      this.logger.warn(`Database unavailable: ${(exception as Error).message}`);
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: statusText(HttpStatus.SERVICE_UNAVAILABLE),
        message: DATABASE_UNAVAILABLE_MESSAGE,
      };
    }

    this.logger.error(
      exception instanceof Error
        ? (exception.stack ?? exception.message)
        : String(exception),
    );
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: statusText(HttpStatus.INTERNAL_SERVER_ERROR),
      message: 'Something went wrong on our side',
    };
  }
}

function messageOf(exception: HttpException): string | string[] {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (
    Array.isArray(message) &&
    message.every((item) => typeof item === 'string')
  )
    return message;
  return exception.message;
}

/** A machine-readable `code` (and its `details`) an exception was thrown with, e.g. `window_closed`. */
function reasonOf(
  exception: HttpException,
): Pick<ApiErrorBody, 'code' | 'details'> {
  const response = exception.getResponse();
  if (typeof response !== 'object' || response === null) return {};
  const { code, details } = response as { code?: unknown; details?: unknown };
  if (typeof code !== 'string') return {};
  const stringDetails =
    typeof details === 'object' && details !== null
      ? Object.fromEntries(
          Object.entries(details).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          ),
        )
      : undefined;
  return { code, ...(stringDetails && { details: stringDetails }) };
}

/**
 * body-parser (and other express middleware) reports client errors as http-errors objects:
 * `{ status, expose, type }`. Map the ones meant for the client; the rest are 500s.
 */
function asClientError(exception: unknown): ApiErrorBody | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, expose } = exception as {
    status?: unknown;
    expose?: unknown;
  };
  if (
    typeof status !== 'number' ||
    status < 400 ||
    status >= 500 ||
    expose !== true
  )
    return undefined;
  const message =
    bodyParserErrorOf(exception)?.message ?? (exception as Error).message;
  return { statusCode: status, error: statusText(status), message };
}

function statusText(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error';
}
