import { Catalog } from './catalog';
import { CommandDispatcher } from './commands';
import { CursorManager } from './cursor-manager';
import { WireServer, WriteDurability } from './server';
import { openSocket, opMsg, replyBody } from '../test/raw-wire-client';

/** Counts appended records like the journal, and makes them durable only when the test says so. */
class HeldDurability implements WriteDurability {
  appendedRecords = 0;
  private release: (() => void) | undefined;
  flush(): Promise<void> {
    return new Promise((resolve) => (this.release = resolve));
  }
  makeDurable(): void {
    this.release?.();
  }
}

/** A dispatcher that knows no command as a write: only the appended records tell. */
class NoWriteListDispatcher extends CommandDispatcher {
  override isWrite(): boolean {
    return false;
  }
}

describe('wire server acknowledgements', () => {
  it('holds the reply of any command that appended records until they are durable', async () => {
    const catalog = new Catalog();
    const durability = new HeldDurability();
    catalog.setSink(() => {
      durability.appendedRecords++;
      return 0;
    });
    const server = new WireServer(
      new NoWriteListDispatcher(catalog, new CursorManager()),
      durability,
      () => undefined,
    );
    const port = await server.listen(0, '127.0.0.1');
    const socket = await openSocket(port);
    try {
      const replies: Buffer[] = [];
      socket.on('data', (d: Buffer) => replies.push(d));
      socket.write(
        opMsg({ insert: 'c', documents: [{ _id: 1 }], $db: 'held' }),
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(replies).toHaveLength(0);
      durability.makeDurable();
      await new Promise((r) => setTimeout(r, 100));
      expect(replyBody(Buffer.concat(replies))).toMatchObject({ ok: 1, n: 1 });
    } finally {
      socket.destroy();
      await server.close();
    }
  });
});
