import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACT_PATHS, REDACTED, scrubText } from './redaction';

export interface RootLoggerOptions {
  level: Level;
  /** Human-readable lines (development); otherwise one JSON object per line. */
  pretty: boolean;
  /** Where lines go; standard output by default. Tests pass a stream they read. */
  destination?: DestinationStream;
}

/**
 * The application's one pino logger: JSON lines with secrets censored by field and by shape
 * (log messages are scrubbed too, since Nest's Logger passes free text).
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  const destination =
    options.destination ??
    (options.pretty
      ? pretty({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ fd: 1, sync: false }));
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) =>
              typeof arg === 'string' ? scrubText(arg) : arg,
            ) as Parameters<typeof method>,
          );
        },
      },
    },
    destination,
  );
}
