import { Client } from 'pg';
import { indicatorCondition } from '../../src/lines/domain/indicator';
import { StaleLinesRepository, SWEEP_START } from '../../src/lines/persistence/stale-lines.repository';
import { acrossOrganizations } from '../../src/database/data-scope';
import { startApp, testConfig, type RunningApp } from '../support/app';
import { ManualClock } from '../support/clock';
import { createPostgresDatabase, type TestDatabase } from '../support/databases';
import { aUser } from '../support/factories';
import { apiClient, type ApiClient } from '../support/http';
import { eventually } from '../support/eventually';

const T0 = new Date('2026-10-01T00:00:00.000Z');
const DAY_MS = 86_400_000;

/**
 * The sweep's multi-row UPDATE takes its transaction id at its first line; a change that
 * commits on a later line meanwhile has a newer id. Before the fix the sweep then wrote
 * that line's next sequence under the older id, and the feed (and the relay, which read
 * in the same (txid, id) order) gave the line's events out of order. A trigger that
 * sleeps once the sweep holds its id opens the window wide enough to hit every time.
 */
describe('a line changed while the sweep holds an older transaction id', () => {
  let target: TestDatabase;
  let running: RunningApp;
  let admin: ApiClient;
  let sql: Client;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    target = await createPostgresDatabase();
    running = await startApp(testConfig(target), { clock });
    admin = apiClient(running.baseUrl, 'admin');
    sql = new Client({ connectionString: target.config.kind === 'postgres' ? target.config.url : '' });
    await sql.connect();
    await sql.query(`
      CREATE FUNCTION test_slow_sweep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.indicator = 'ORANGE' AND OLD.indicator <> 'ORANGE'
           AND current_setting('test.slowed', true) IS DISTINCT FROM 'yes' THEN
          PERFORM set_config('test.slowed', 'yes', true);
          PERFORM pg_current_xact_id();
          PERFORM pg_sleep(1.5);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_slow_sweep BEFORE UPDATE ON network_lines
        FOR EACH ROW EXECUTE FUNCTION test_slow_sweep();`);
  });
  afterAll(async () => {
    await sql.end();
    await running.stop();
    await target.drop();
  });

  it('publishes each line in sequence order, and the sweep catches the line on its next pass', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await admin.post('/v1/users', aUser({ network: 'att' }))).body.id);
    // Enabled, seen a little under 30 days ago: fresh now, stale an hour later.
    await sql.query(
      `UPDATE network_lines SET status = 'ENABLED', indicator = 'GREEN', last_seen_at = $1
       WHERE user_id = ANY($2::uuid[])`,
      [new Date(T0.getTime() - 30 * DAY_MS + 60_000), ids],
    );
    const later = new Date(T0.getTime() + 3_600_000);
    const sweep = running.app.get(StaleLinesRepository);
    const sweeping = acrossOrganizations('test', () =>
      sweep.turnOrange({
        orange: indicatorCondition('ORANGE', later, 30),
        now: later,
        seenBefore: new Date(later.getTime() - 30 * DAY_MS),
        part: 0,
        parts: 1,
        after: SWEEP_START,
        limit: 100,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The sweep sleeps on one line holding its id; the other line is changed and committed now.
    const moves = await Promise.all(
      ids.map((id) => admin.post(`/v1/users/${id}/networks/att/status`, { status: 'DISABLED' })),
    );
    expect(moves.map((move) => move.status)).toEqual([200, 200]);
    await sweeping;
    clock.set(later);
    await acrossOrganizations('test', () =>
      sweep.turnOrange({
        orange: indicatorCondition('ORANGE', later, 30),
        now: later,
        seenBefore: new Date(later.getTime() - 30 * DAY_MS),
        part: 0,
        parts: 1,
        after: SWEEP_START,
        limit: 100,
      }),
    );

    const { rows: written } = await sql.query<{ n: number }>(
      `SELECT sum(event_sequence)::int AS n FROM network_lines WHERE user_id = ANY($1::uuid[])`,
      [ids],
    );
    // Events show once settled (a transaction open elsewhere on the server may hold them a moment).
    const perLine = await eventually(async () => {
      const feed = await admin.get<{
        items: { key: string; type: string; event: Record<string, unknown> }[];
      }>('/v1/events?limit=1000');
      const lines = new Map<string, number[]>();
      for (const item of feed.body.items) {
        if (item.type !== 'mdn.provisioning.v1.NetworkStatusChanged') continue;
        const line = `${item.key}/${String(item.event.network)}`;
        lines.set(line, [...(lines.get(line) ?? []), Number(item.event.sequence)]);
      }
      const count = [...lines.values()].reduce((sum, sequences) => sum + sequences.length, 0);
      return count === written[0].n ? lines : undefined;
    }, 30_000);
    expect(perLine.size).toBe(2);
    for (const sequences of perLine.values()) {
      // Gap-free and in order: 1, 2, ... as written.
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    }
    // Both lines end ORANGE: the one the first pass had to leave, by the second.
    const { rows } = await sql.query<{ indicator: string }>(
      `SELECT indicator FROM network_lines WHERE user_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows.map((row) => row.indicator)).toEqual(['ORANGE', 'ORANGE']);
  });
});
