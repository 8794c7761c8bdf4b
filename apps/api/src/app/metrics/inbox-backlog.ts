import type { InboxBacklogDto } from '@instantchat/contracts';
import { Injectable, Logger } from '@nestjs/common';

/** How long a health check or a scrape waits for the backlog before reporting it unknown. */
export const INBOX_BACKLOG_TIMEOUT_MS = 1_000;

export type InboxBacklogSource = (now: Date) => Promise<InboxBacklogDto>;

/**
 * The webhook inbox's backlog as the health check and the metrics see it. The webhook module,
 * which owns the inbox, plugs its query in at startup (it sits above both readers in the
 * layering); without it, or while the query fails or hangs, the backlog is unknown (`null`).
 */
@Injectable()
export class InboxBacklog {
  private readonly logger = new Logger(InboxBacklog.name);
  private source?: InboxBacklogSource;

  useSource(source: InboxBacklogSource): void {
    this.source = source;
  }

  async read(now = new Date()): Promise<InboxBacklogDto | null> {
    if (!this.source) return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.source(now),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), INBOX_BACKLOG_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      this.logger.warn(
        `The inbox backlog could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
