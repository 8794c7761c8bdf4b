import type { SocketAck } from '@instantchat/contracts';
import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailableError,
} from '../core/database-unavailable';

const logger = new Logger('SocketAck');

/**
 * Runs a client event's handler and answers its ack with the same outcomes as the REST route:
 * HTTP exceptions keep their status and message; anything else is a 500 whose details stay in
 * the log.
 */
export async function toSocketAck<T>(
  handle: () => Promise<T>,
): Promise<SocketAck<T>> {
  try {
    return { ok: true, data: await handle() };
  } catch (error) {
    return errorAck(error);
  }
}

/**
 * The failed ack for any error: HTTP exceptions keep their status and message; anything else is
 * logged and answered with a 500 that reveals nothing (never the error's text, never the payload).
 */
export function errorAck(
  error: unknown,
): Extract<SocketAck<never>, { ok: false }> {
  if (error instanceof HttpException) {
    return {
      ok: false,
      error: { statusCode: error.getStatus(), message: messageOf(error) },
    };
  }
  if (isDatabaseUnavailableError(error)) {
    logger.warn(`Database unavailable: ${(error as Error).message}`);
    return {
      ok: false,
      error: {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        message: DATABASE_UNAVAILABLE_MESSAGE,
      },
    };
  }
  logger.error((error as Error)?.stack ?? String(error));
  return {
    ok: false,
    error: {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      message: 'Something went wrong on our side',
    },
  };
}

/**
 * Validates a client event's payload with the same rules as the HTTP ValidationPipe (unknown
 * fields refused). @throws BadRequestException listing every problem.
 */
export async function validateSocketPayload<T extends object>(
  type: new () => T,
  payload: unknown,
): Promise<T> {
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload)
  ) {
    throw new BadRequestException('payload must be an object');
  }
  const instance = plainToInstance(type, payload);
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  if (errors.length > 0) {
    throw new BadRequestException(
      errors.flatMap((error) => Object.values(error.constraints ?? {})),
    );
  }
  return instance;
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response !== null
      ? (response as { message?: unknown }).message
      : response;
  if (Array.isArray(message)) {
    return message.join('; ');
  }
  return typeof message === 'string' ? message : error.message;
}
