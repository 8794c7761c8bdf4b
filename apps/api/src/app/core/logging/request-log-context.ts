import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { REQUEST_ID_FIELD } from './http-logger';

/**
 * Carries a request's id into work done after its response, such as the webhook processor's sweep
 * picking up a stored delivery: every log line inside `run` carries it, as lines inside the
 * request itself do.
 */
@Injectable()
export class RequestLogContext {
  constructor(private readonly pino: PinoLogger) {}

  run<T>(requestId: string | null | undefined, work: () => T): T {
    if (!requestId) return work();
    return this.pino.runInContext(work, {
      bindings: { [REQUEST_ID_FIELD]: requestId },
    });
  }
}
