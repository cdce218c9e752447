import { SweepStaleLines } from '../../src/lines/sweep/sweep-stale-lines.usecase';
import { startApp, testConfig } from '../support/app';
import { ManualClock } from '../support/clock';
import { createEmbeddedDatabase, createPostgresDatabase } from '../support/databases';
import { aUser } from '../support/factories';
import { eventually } from '../support/eventually';
import { apiClient } from '../support/http';
import { scrapeMetrics } from '../support/metrics';

async function registerEnabledLines(baseUrl: string, count: number): Promise<void> {
  const admin = apiClient(baseUrl);
  for (let i = 0; i < count; i++) {
    const registered = await admin.post('/v1/users', aUser({ network: i % 2 ? 'att' : 'verizon' }));
    expect(registered.status).toBe(201);
    if (i % 2) {
      const enabled = await admin.post(`/v1/users/${registered.body.id}/networks/att/status`, {
        status: 'ENABLED',
      });
      expect(enabled.status).toBe(200);
    }
  }
}

/** SWEEP events in the feed, once `expected` are visible: other tests' open transactions on the server can hold them back a moment. */
function sweepEvents(baseUrl: string, expected: number): Promise<number> {
  return eventually(async () => {
    const feed = (await apiClient(baseUrl).get('/v1/events?limit=1000')).body as {
      items: { event: { source?: string } }[];
    };
    const count = feed.items.filter((item) => item.event.source === 'SWEEP').length;
    return count >= expected ? count : undefined;
  });
}

/** The feed's NetworkStatusChanged events of one user, as JSON. */
async function statusEventsOf(baseUrl: string, userId: string) {
  const feed = (await apiClient(baseUrl).get('/v1/events?limit=1000')).body as {
    items: { type: string; key: string; event: { source?: string; user?: Record<string, unknown> } }[];
  };
  return feed.items
    .filter((item) => item.type.endsWith('NetworkStatusChanged') && item.key === userId)
    .map((item) => item.event);
}

describe('the staleness sweep', () => {
  it.each([
    ['PostgreSQL', createPostgresDatabase],
    ['the embedded database', () => Promise.resolve(createEmbeddedDatabase())],
  ])("writes each line's user into its event as the API's change does, on %s", async (_, create) => {
    const target = await create();
    const clock = new ManualClock(new Date('2026-09-01T00:00:00.123Z'));
    const running = await startApp(testConfig(target), { clock });
    try {
      const admin = apiClient(running.baseUrl);
      // Every optional field set, and an apostrophe and a non-ASCII name to carry through.
      const registered = await admin.post(
        '/v1/users',
        aUser({
          network: 'att',
          firstName: "Zoë 'Z'",
          businessPhone: '+1 212 555 0100',
          company: 'Acme "Ltd"',
          customerCode: 'C-42',
          udid: 'udid-1',
          serviceLevel: 'gold',
          messagingAppVersion: '7.1.0',
        }),
      );
      expect(registered.status).toBe(201);
      const userId = registered.body.id as string;
      const enabled = await admin.post(`/v1/users/${userId}/networks/att/status`, { status: 'ENABLED' });
      expect(enabled.status).toBe(200);
      clock.advanceDays(31);
      expect(await running.app.get(SweepStaleLines).execute()).toBe(1);
      const events = await eventually(async () => {
        const found = await statusEventsOf(running.baseUrl, userId);
        return found.some((event) => event.source === 'SWEEP') ? found : undefined;
      });
      // The API's last change (ENABLED) read the user through Prisma: an independent oracle.
      const [api, swept] = ['API', 'SWEEP'].map(
        (source) => events.filter((event) => event.source === source).at(-1)?.user,
      );
      expect(api).toMatchObject({
        firstName: "Zoë 'Z'",
        company: 'Acme "Ltd"',
        messagingAppVersion: '7.1.0',
        registeredAt: '2026-09-01T00:00:00.123Z',
      });
      expect(swept).toEqual(api);
    } finally {
      await running.stop();
      await target.drop();
    }
  });

  it('run by two replicas at once, writes each event once', async () => {
    const target = await createPostgresDatabase();
    const clock = new ManualClock(new Date('2026-09-01T00:00:00.000Z'));
    const first = await startApp(testConfig(target, { SWEEP_BATCH_SIZE: '100' }), { clock });
    const second = await startApp(
      testConfig(target, { SWEEP_BATCH_SIZE: '100', DB_MIGRATE_ON_START: 'false' }),
      { clock },
    );
    try {
      await registerEnabledLines(first.baseUrl, 240); // 120 enabled AT&T lines, 120 Verizon lines (RED)
      clock.advanceDays(31);
      const [a, b] = await Promise.all([
        first.app.get(SweepStaleLines).execute(),
        second.app.get(SweepStaleLines).execute(),
      ]);
      expect(a + b).toBe(120);
      const swept = await Promise.all(
        [first, second].map(async (app) => (await scrapeMetrics(app.baseUrl)).samples),
      );
      expect(swept.map((samples) => samples.get('mdn_sweep_lines_turned_orange_total'))).toEqual([a, b]);
      expect(await sweepEvents(first.baseUrl, 120)).toBe(120);
      expect(await first.app.get(SweepStaleLines).execute()).toBe(0);
      const summary = (await apiClient(first.baseUrl).get('/v1/summary')).body;
      expect(summary.att).toMatchObject({ ORANGE: 120, GREEN: 0 });
      expect(summary.verizon).toMatchObject({ RED: 120, ORANGE: 0 });
    } finally {
      await first.stop();
      await second.stop();
      await target.drop();
    }
  });

  it('works on the embedded database too', async () => {
    const clock = new ManualClock(new Date('2026-09-01T00:00:00.000Z'));
    const running = await startApp(testConfig(createEmbeddedDatabase(), { SWEEP_BATCH_SIZE: '100' }), {
      clock,
    });
    try {
      await registerEnabledLines(running.baseUrl, 20);
      clock.advanceDays(30);
      expect(await running.app.get(SweepStaleLines).execute()).toBe(0);
      clock.advanceDays(1);
      expect(await running.app.get(SweepStaleLines).execute()).toBe(10);
      expect(await sweepEvents(running.baseUrl, 10)).toBe(10);
    } finally {
      await running.stop();
    }
  });
});
