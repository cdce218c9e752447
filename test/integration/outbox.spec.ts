import { acrossOrganizations } from '../../src/database/data-scope';
import { DatabaseService } from '../../src/database/database.service';
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
    // No network: one event each (a line would add its own event and state record).
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
});
