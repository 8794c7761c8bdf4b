import type { ApiErrorBody } from '@instantchat/contracts';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { platformClientErrorOf } from './platform-errors';
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailableError,
} from './database-unavailable';

/**
 * Turns every error on an HTTP route into `{ statusCode, error, message }`: Nest's HTTP exceptions,
 * the HTTP platform's refusals (body too large, bad Content-Length), unknown routes, an unreachable database
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
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception);
    if (reply.sent) {
      return;
    }
    void reply.code(body.statusCode).send(body);
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

function asClientError(exception: unknown): ApiErrorBody | undefined {
  const known = platformClientErrorOf(exception);
  return (
    known && {
      statusCode: known.statusCode,
      error: statusText(known.statusCode),
      message: known.message,
    }
  );
}

function statusText(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error';
}
