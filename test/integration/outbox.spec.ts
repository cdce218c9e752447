import { randomUUID } from 'node:crypto';
import { acrossOrganizations } from '../../src/database/data-scope';
import { DatabaseService } from '../../src/database/database.service';
import type { OutboxMessage } from '../../src/outbox/outbox-message';
import { appendBulkToOutbox } from '../../src/outbox/outbox.writer';
import { OutboxRepository } from '../../src/outbox/persistence/outbox.repository';
import { startApp, testConfig, type RunningApp } from '../support/app';
import { DATABASE_KINDS, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { aUser } from '../support/factories';
import { apiClient } from '../support/http';

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(DATABASE_KINDS)('the outbox and its relay mark on %s', (_kind, createDatabase) => {
  let target: TestDatabase;
  let running: RunningApp;
  let outbox: OutboxRepository;

  beforeAll(async () => {
    target = await createDatabase();
    running = await startApp(testConfig(target));
    outbox = new OutboxRepository(running.app.get(DatabaseService));
    // No network: one event each (a line would add its own event).
    for (let i = 0; i < 5; i++) await apiClient(running.baseUrl).post('/v1/users', aUser());
  });
  afterAll(async () => {
    await running.stop();
    await target.drop();
  });

  // The relay's own work, across organisations (its path in the service says so too).
  it('reads after the mark, counts the backlog after it, and keeps sent events until they are old', () =>
    acrossOrganizations('the relay, under test', async () => {
      const all = await eventually(async () => {
        const rows = await outbox.unsent(100);
        return rows.length === 5 ? rows : undefined;
      });
      expect(await outbox.backlog()).toMatchObject({ unsent: 5 });
      expect(await outbox.sentUpTo()).toBeUndefined();

      await outbox.markSentUpTo({ txid: all[2].txid, id: all[2].id }, new Date());
      // A mark never moves back, whatever order the calls land in.
      await outbox.markSentUpTo({ txid: all[0].txid, id: all[0].id }, new Date());
      expect(await outbox.sentUpTo()).toEqual({ txid: all[2].txid, id: all[2].id });
      expect((await outbox.unsent(100)).map((row) => row.id)).toEqual([all[3].id, all[4].id]);
      expect(await outbox.backlog()).toMatchObject({ unsent: 2 });

      // Sent events stay for the feed until the retention has passed; unsent ones always stay.
      expect(await outbox.deleteSentBefore(new Date(Date.now() - DAY_MS))).toBe(0);
      expect(await outbox.deleteSentBefore(new Date(Date.now() + DAY_MS))).toBe(3);
      expect((await outbox.after(undefined, 100)).map((row) => row.id)).toEqual([all[3].id, all[4].id]);
    }));

  // The sweep's writer sends arrays of text (payloads in base64): every byte and character
  // must arrive as given, NULL included.
  it('stores bulk events exactly as given', () =>
    acrossOrganizations('the bulk writer, under test', async () => {
      const database = running.app.get(DatabaseService);
      const [sample] = await outbox.after(undefined, 1);
      const message = (key: string, traceParent: string | null): OutboxMessage => ({
        eventId: randomUUID(),
        eventType: 'test.Escapes',
        key,
        organizationId: sample.organizationId,
        payload: Uint8Array.from({ length: 256 }, (_, byte) => byte),
        traceParent,
      });
      const messages = [
        message('tab\there, newline\nthere, back\\slash \\N, return\r', null),
        message('plain', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      ];
      const before = (await outbox.after(undefined, 1000)).length;
      await database.transaction((tx) => appendBulkToOutbox(tx, messages));
      // Read once settled: a transaction of the running app can hold them back a moment.
      const written = await eventually(async () => {
        const rows = (await outbox.after(undefined, 1000)).slice(before);
        return rows.length === messages.length ? rows : undefined;
      });
      expect(written.map(({ eventId, key, traceParent }) => ({ eventId, key, traceParent }))).toEqual(
        messages.map(({ eventId, key, traceParent }) => ({ eventId, key, traceParent })),
      );
      for (const row of written) expect(Buffer.from(row.payload)).toEqual(Buffer.from(messages[0].payload));
    }));
});
