import type { SocketAck } from '@instantchat/contracts';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpStatus,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { errorAck } from './socket-ack';

interface ExceptionEmitter {
  emit(event: 'exception', payload: unknown): void;
}

/**
 * Every error a gateway handler lets escape ends here instead of in Nest's default handler, which
 * echoes the event's payload back to the client (and, for a deep payload, overflowed the stack
 * while encoding it). The client gets a failed ack when it asked for one, otherwise an `exception`
 * event; both carry a status and a message only, never the payload. Unexpected errors are logged
 * and answered with a generic 500. Every gateway declares it: `@UseFilters(SocketExceptionFilter)`
 * (a test checks that none is missing).
 */
@Catch()
export class SocketExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const answer = failedAck(exception);
    const ack = host
      .getArgs()
      .find(
        (arg): arg is (answer: SocketAck<never>) => void =>
          typeof arg === 'function',
      );
    if (ack) {
      ack(answer);
      return;
    }
    host
      .switchToWs()
      .getClient<ExceptionEmitter>()
      .emit('exception', { status: 'error', ...answer.error });
  }
}

function failedAck(
  exception: unknown,
): Extract<SocketAck<never>, { ok: false }> {
  if (exception instanceof WsException) {
    const error = exception.getError();
    return {
      ok: false,
      error: {
        statusCode: HttpStatus.BAD_REQUEST,
        message: typeof error === 'string' ? error : 'Bad request',
      },
    };
  }
  return errorAck(exception);
}
