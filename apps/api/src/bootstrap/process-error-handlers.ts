import { Logger } from '@nestjs/common';

const logger = new Logger('Process');

/**
 * Logs errors that escaped every handler instead of letting Node end the process on them.
 *
 * Why staying up is safe here: the API keeps no state in memory that such an error could leave
 * half-changed. Everything durable is in the database, written one operation at a time, and what
 * two writes must agree on (a message and its conversation's counters) is repaired from the
 * messages (chat's ConversationRepairService). An escaped error belongs to one request or socket
 * event, which has failed; exiting would turn that one bad input into an outage for everyone (and
 * `npm start` would take the Meta sandbox down with it). Errors while starting are still fatal:
 * main.ts exits on them.
 */
export function keepProcessAliveOnEscapedErrors(): void {
  process.on('uncaughtException', (error: unknown) => {
    logger.error(
      `Uncaught exception (process kept running): ${describe(error)}`,
    );
  });
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error(
      `Unhandled rejection (process kept running): ${describe(reason)}`,
    );
  });
}

function describe(error: unknown): string {
  return error instanceof Error
    ? (error.stack ?? error.message)
    : String(error);
}
