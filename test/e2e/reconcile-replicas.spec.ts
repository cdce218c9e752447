import { Client } from 'pg';
import writeXlsxFile from 'write-excel-file/node';
import type { Network } from '../../src/lines/domain/networks';
import type { Party } from '../../src/simulator/simulated-party';
import { aUser } from '../support/factories';
import { startReplicas, type ReplicasHarness } from '../support/flow';
import { importAndWait } from '../support/tasks';

const USERS = 2_000;
const NETWORK_MIX: Network[] = ['verizon', 'att', 'tmobile'];
const HEADER = ['First Name', 'Last Name', 'Login', 'Mobile Phone number', 'Email Address', 'Network'];

/** The network of the i-th user: the mix in turn. */
const networkOf = (i: number): Network => NETWORK_MIX[i % NETWORK_MIX.length];

/** Imports users `from` to `from + count` (at most 1,000 a file). */
async function importUsers(baseUrl: string, from: number, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => {
    const user = aUser();
    return [user.firstName, user.lastName, user.username, user.mdn, user.email, networkOf(from + i)];
  });
  const { task } = await importAndWait(baseUrl, await writeXlsxFile([HEADER, ...rows]).toBuffer());
  expect(task.state).toBe('SUCCEEDED');
}

/** How many requests each idempotency key brought to `party`. */
function requestsPerKey(flow: ReplicasHarness, party: Party): Map<string | undefined, number> {
  const counts = new Map<string | undefined, number>();
  for (const request of flow.simulator.requests.filter((r) => r.party === party)) {
    counts.set(request.idempotencyKey, (counts.get(request.idempotencyKey) ?? 0) + 1);
  }
  return counts;
}

const LEASE_SECONDS = 60;

/** Whether every line has reached Enabled. */
async function allEnabled(flow: ReplicasHarness): Promise<boolean> {
  if (flow.database.config.kind !== 'postgres') throw new Error('this test reads PostgreSQL');
  const database = new Client({ connectionString: flow.database.config.url });
  await database.connect();
  try {
    const { rows } = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM network_lines WHERE status <> 'ENABLED'`,
    );
    return rows[0].n === 0;
  } finally {
    await database.end();
  }
}

describe('two replicas reconciling together', () => {
  let flow: ReplicasHarness;

  beforeAll(async () => {
    // Calls are given all the time they need: a call that timed out is sent again with
    // the same key (as designed), which would blur what this test counts.
    flow = await startReplicas(
      2,
      {
        CARRIER_TIMEOUT_MS: '30000',
        CARRIER_RETRIES: '0',
        CARRIER_BREAKER_VOLUME: '1000',
        RECONCILE_LEASE_SECONDS: String(LEASE_SECONDS),
        CONSENT_REMINDERS: 'quarterly',
      },
      { autoReply: 'YES' },
    );
  });
  afterAll(() => flow.stop());

  it(`take ${USERS.toLocaleString('en')} lines to Enabled, each call made once per key`, async () => {
    const [first, second] = flow.replicas;
    await importUsers(first.baseUrl, 0, USERS / 2);
    await importUsers(second.baseUrl, USERS / 2, USERS / 2);

    const started = performance.now();
    let { passes, handled } = await flow.settle();
    // On a loaded machine a step can fail for want of a pool connection; its line then
    // waits out its claim's lease, as it would in production. Let that time pass.
    let leasesWaited = 0;
    while (!(await allEnabled(flow)) && leasesWaited < 3) {
      leasesWaited += 1;
      flow.clock.advanceSeconds(LEASE_SECONDS + 1);
      const again = await flow.settle();
      passes += again.passes;
      handled = handled.map((n, i) => n + again.handled[i]);
    }
    const seconds = (performance.now() - started) / 1000;
    // Reported for the record (bench style): how long two replicas take over the lot.
    process.stdout.write(
      `${USERS} lines reconciled by 2 replicas in ${seconds.toFixed(1)} s, ${passes} passes, steps ${handled.join(' + ')}, leases waited out ${leasesWaited}\n`,
    );
    // Both took part: the claims shared the work out rather than one replica doing it all.
    expect(handled.every((n) => n > 0)).toBe(true);

    const database = new Client({
      connectionString: flow.database.config.kind === 'postgres' ? flow.database.config.url : '',
    });
    await database.connect();
    try {
      const lines = await database.query<{ id: string; network: Network; mdn: string }>(
        `SELECT l.id, l.network, u.mdn FROM network_lines l JOIN users u ON u.id = l.user_id`,
      );

      for (const network of NETWORK_MIX) {
        const perKey = requestsPerKey(flow, network);
        const expected = lines.rows
          .filter((line) => line.network === network)
          .map((line) => `${line.id}:provision:1`);
        expect([...perKey.values()].filter((n) => n !== 1)).toEqual([]);
        expect([...perKey.keys()].sort()).toEqual(expected.sort());
      }

      // One opt-in text to each Verizon line: one request per key, one key per line, one text per number.
      const verizon = lines.rows.filter((line) => line.network === 'verizon');
      const sms = requestsPerKey(flow, 'sms');
      const texts = new Map([...sms].filter(([key]) => key?.includes(':opt-in:')));
      expect(texts.size).toBe(verizon.length);
      // And one confirmation of each YES (owed texts are claimed like lines): nothing else.
      const confirmations = [...sms].filter(([key]) => key?.includes(':confirm:'));
      expect(confirmations).toHaveLength(verizon.length);
      expect(confirmations.filter(([, n]) => n !== 1)).toEqual([]);
      expect(sms.size).toBe(texts.size + confirmations.length);
      expect([...texts.values()].filter((n) => n !== 1)).toEqual([]);
      const keyedLines = new Set([...texts.keys()].map((key) => key?.split(':opt-in:')[0]));
      expect(keyedLines).toEqual(new Set(verizon.map((line) => line.id)));
      const textsPerNumber = new Map<string, number>();
      for (const text of flow.simulator.texts)
        textsPerNumber.set(text.to, (textsPerNumber.get(text.to) ?? 0) + 1);
      expect(textsPerNumber.size).toBe(verizon.length);
      expect([...textsPerNumber.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(textsPerNumber.keys())).toEqual(new Set(verizon.map((line) => line.mdn)));

      const byNetwork = await database.query<{ network: Network; status: string; count: number }>(
        `SELECT network, status, count(*)::int AS count FROM network_lines GROUP BY network, status ORDER BY network`,
      );
      const imported = Array.from({ length: USERS }, (_, i) => networkOf(i));
      expect(byNetwork.rows).toEqual(
        [...NETWORK_MIX].sort().map((network) => ({
          network,
          status: 'ENABLED',
          count: imported.filter((n) => n === network).length,
        })),
      );
      // Every YES was taken, even one that came before its text was recorded as sent.
      const dropped = await database.query(`SELECT count(*)::int AS n FROM status_history WHERE NOT applied`);
      expect(dropped.rows[0].n).toBe(0);
    } finally {
      await database.end();
    }
  }, 120_000);

  it('send each consenting line one reminder a quarter later, however the replicas share the work', async () => {
    const verizon = NETWORK_MIX.filter((network) => network === 'verizon').length;
    const expected = Array.from({ length: USERS }, (_, i) => networkOf(i)).filter(
      (n) => n === 'verizon',
    ).length;
    expect(verizon).toBe(1);
    flow.clock.advanceDays(93);
    await flow.settle();
    const reminders = [...requestsPerKey(flow, 'sms')].filter(([key]) => key?.includes(':reminder:'));
    expect(reminders).toHaveLength(expected);
    expect(reminders.filter(([, n]) => n !== 1)).toEqual([]);
    const database = new Client({
      connectionString: flow.database.config.kind === 'postgres' ? flow.database.config.url : '',
    });
    await database.connect();
    try {
      const { rows } = await database.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM consent_entries WHERE kind = 'REMINDER_SENT'`,
      );
      expect(rows[0].n).toBe(expected);
    } finally {
      await database.end();
    }
  }, 120_000);
});
