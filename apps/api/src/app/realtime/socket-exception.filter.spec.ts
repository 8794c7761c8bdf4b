import { type ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { WsException } from '@nestjs/websockets';
import { SocketExceptionFilter } from './socket-exception.filter';

/** The arguments Nest passes a gateway handler: socket, payload, ack (when asked), pattern. */
function wsHost(args: unknown[]): ArgumentsHost {
  const host = new ExecutionContextHost(args);
  host.setType('ws');
  return host;
}

describe('SocketExceptionFilter', () => {
  const filter = new SocketExceptionFilter();
  const deepPayload = { isTyping: [[[['secret payload']]]] };

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('answers the ack with the HTTP exception’s status and message', () => {
    const ack = jest.fn();
    filter.catch(
      new NotFoundException('Conversation not found'),
      wsHost([{ emit: jest.fn() }, deepPayload, ack, 'typing']),
    );
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { statusCode: 404, message: 'Conversation not found' },
    });
  });

  it('answers an unexpected error with a generic 500 ack, and logs it', () => {
    const ack = jest.fn();
    filter.catch(
      new RangeError('Maximum call stack size exceeded'),
      wsHost([{ emit: jest.fn() }, deepPayload, ack, 'typing']),
    );
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { statusCode: 500, message: 'Something went wrong on our side' },
    });
    expect(Logger.prototype.error).toHaveBeenCalled();
  });

  it('without an ack, emits `exception` with status and message only: the payload is never echoed', () => {
    const socket = { emit: jest.fn() };
    filter.catch(
      new RangeError('Maximum call stack size exceeded'),
      wsHost([socket, deepPayload, 'typing']),
    );
    expect(socket.emit).toHaveBeenCalledWith('exception', {
      status: 'error',
      statusCode: 500,
      message: 'Something went wrong on our side',
    });
    expect(JSON.stringify(socket.emit.mock.calls)).not.toContain(
      'secret payload',
    );
  });

  it('answers a WsException as a 400 with its message', () => {
    const ack = jest.fn();
    filter.catch(
      new WsException('conversationId is required'),
      wsHost([{ emit: jest.fn() }, {}, ack, 'typing']),
    );
    expect(ack).toHaveBeenCalledWith({
      ok: false,
      error: { statusCode: 400, message: 'conversationId is required' },
    });
  });
});
