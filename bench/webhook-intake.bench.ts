/*
 * Signed webhook intake against PostgreSQL, the service beside bare Fastify + pg handlers,
 * each in its own process, rounds alternated in the same run (autocannon):
 * 1. intake: the service's POST /v1/webhooks/carriers/att (activity.seen) beside the floor,
 *    a bare handler that verifies the signature and stores the delivery with one INSERT
 *    (goal: 70 % of its throughput, p99 within 2x);
 * 2. applied: carrier status callbacks (line, history, outbox event) applied per second by
 *    the service (accepted, then applied by its inbox worker; timed until the inbox is
 *    empty) beside a bare handler doing the same statements in the request (goal: 95 %);
 * 3. burst: BENCH_BURST callbacks as fast as 50 connections allow: no 5xx, all applied, in
 *    order per line; the time from the last accepted to the last applied.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from '../src/simulator/carrier-simulator';
import {
  cpuSeconds,
  createBenchDatabase,
  DEFAULT_ORGANIZATION_SQL,
  idleCarriersEnv,
  run,
  SERVICE_MAIN,
  startProcess,
} from './support';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BURST = Number(process.env.BENCH_BURST ?? 100_000);
const CONNECTIONS = 20;
const BURST_CONNECTIONS = 50;

const SERVICE = 3931;
const FLOOR = 3932;
const SAME_WORK = 3933;

async function main() {
  const database = await createBenchDatabase();
  const secret = newWebhookSecret();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    DB_MIGRATE_ON_START: 'true',
    ADMIN_API_TOKENS: 'admin:bench-admin-token-0123456789',
    ...idleCarriersEnv(secret),
  };
  const children: ChildProcess[] = [];
  const pool = new Pool({ connectionString: database.url, max: 2 });
  try {
    children.push(await startProcess(SERVICE_MAIN, { ...env, PORT: `${SERVICE}` }, SERVICE));
    await run(database.url, seedSql());
    const bare = join(__dirname, 'bare-webhook-server.js');
    children.push(await startProcess(bare, { ...env, PORT: `${FLOOR}`, BARE_MODE: 'floor' }, FLOOR));
    children.push(
      await startProcess(bare, { ...env, PORT: `${SAME_WORK}`, BARE_MODE: 'same-work' }, SAME_WORK),
    );
    const signer = new Webhook(secret);
    const sightings = new Deliveries(signer, 'sighting', 0);
    const serviceMoves = new Deliveries(signer, 'move', 0);
    const bareMoves = new Deliveries(signer, 'move', USERS);
    const drained = () => untilInboxEmpty(pool);

    // Warm-up (JIT, pools, caches), then rounds alternating between the two sides.
    await load(FLOOR, 'att', sightings, 2);
    await load(SERVICE, 'att', sightings, 2);
    await load(SAME_WORK, 'tmobile', bareMoves, 2);
    await load(SERVICE, 'att', serviceMoves, 2);
    await drained();

    const intake: Record<'floor' | 'service', Measured[]> = { floor: [], service: [] };
    const applied: Record<'bare' | 'service', number[]> = { bare: [], service: [] };
    for (let round = 0; round < ROUNDS; round++) {
      await quiet(pool, children[0]);
      intake.floor.push(measured(await load(FLOOR, 'att', sightings, SECONDS)));
      await quiet(pool, children[0]);
      intake.service.push(measured(await load(SERVICE, 'att', sightings, SECONDS)));
      await drained();
      await quiet(pool, children[0]);
      applied.bare.push(measured(await load(SAME_WORK, 'tmobile', bareMoves, SECONDS)).perSecond);
      await quiet(pool, children[0]);
      const started = Date.now();
      const result = await load(SERVICE, 'att', serviceMoves, SECONDS);
      refuseNon2xx(result);
      await drained();
      applied.service.push(result.requests.total / ((Date.now() - started) / 1000));
    }

    const floor = median(intake.floor);
    const service = median(intake.service);
    out(
      `${SECONDS} s per round, ${CONNECTIONS} connections, median of ${ROUNDS} rounds, ${USERS} lines a side`,
    );
    out('1. intake (activity.seen), the service beside the floor (verify + one INSERT)');
    out(row('floor', floor, intake.floor));
    out(row('service', service, intake.service));
    out(
      `   throughput vs floor ${pct(service.perSecond / floor.perSecond)} (goal >= 70 %), ` +
        `p99 ${service.p99} ms vs ${floor.p99} ms = ${(service.p99 / Math.max(1, floor.p99)).toFixed(2)}x (goal <= 2x)`,
    );
    const bareApplied = medianOf(applied.bare);
    const serviceApplied = medianOf(applied.service);
    out('2. status callbacks applied per second (line, history, outbox event)');
    out(
      `   bare same work in the request  ${bareApplied.toFixed(0).padStart(6)}/s  (rounds: ${each(applied.bare)})`,
    );
    out(
      `   service, accepted then applied ${serviceApplied.toFixed(0).padStart(6)}/s  (rounds: ${each(applied.service)})`,
    );
    out(`   applied vs bare same work ${pct(serviceApplied / bareApplied)} (goal >= 95 %)`);

    await burst(pool, serviceMoves, BURST);
  } finally {
    await pool.end();
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await database.drop();
  }
}

/** Part 3: a burst, then proof that every delivery was applied and in order per line. */
async function burst(pool: Pool, deliveries: Deliveries, amount: number): Promise<void> {
  const before = await scalar(pool, `SELECT count(*) FROM status_history WHERE applied`);
  const statuses = new Map<number, number>();
  const started = Date.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${SERVICE}/v1/webhooks/carriers/att`,
    method: 'POST',
    connections: BURST_CONNECTIONS,
    amount,
    requests: [{ setupRequest: (request) => ({ ...request, ...deliveries.next() }) }],
    setupClient: (client) =>
      client.on('response', (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1)),
  });
  const accepted = Date.now();
  await untilInboxEmpty(pool);
  const applied = Date.now();
  const moved = (await scalar(pool, `SELECT count(*) FROM status_history WHERE applied`)) - before;
  const outOfOrder = await scalar(
    pool,
    `SELECT count(*) FROM (
       SELECT occurred_at < lag(occurred_at) OVER (PARTITION BY line_id ORDER BY line_sequence) AS behind
       FROM status_history) moves WHERE behind`,
  );
  const notApplied = await scalar(pool, `SELECT count(*) FROM status_history WHERE NOT applied`);
  const fiveHundreds = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  out(`3. burst: ${amount} status callbacks, ${BURST_CONNECTIONS} connections`);
  out(
    `   answers ${[...statuses].map(([status, n]) => `${status}: ${n}`).join(', ')}; ` +
      `accepted in ${((accepted - started) / 1000).toFixed(1)} s (${(result.requests.total / ((accepted - started) / 1000)).toFixed(0)}/s)`,
  );
  out(
    `   last accepted -> last applied ${((applied - accepted) / 1000).toFixed(1)} s; applied ${moved} of ${amount}; ` +
      `out of order ${outOfOrder}; not applied ${notApplied}`,
  );
  if (fiveHundreds > 0 || moved !== amount || outOfOrder > 0 || notApplied > 0) {
    throw new Error('the burst lost, refused or reordered deliveries');
  }
}

interface Prepared {
  body: string;
  headers: Record<string, string>;
}

/**
 * Signed deliveries, each made as it is sent (signing costs microseconds, in this process,
 * not the measured ones), so a round that stops early leaves no gap. Sightings go round the lines; status
 * moves alternate each line between Disabled and Enabled, stamped 1 ms apart, so every one
 * is newer than its line's status and a move the status table allows.
 */
class Deliveries {
  private made = 0;
  private static readonly base = Date.now() - 2 * 3_600_000;

  constructor(
    private readonly signer: Webhook,
    private readonly kind: 'sighting' | 'move',
    private readonly firstUser: number,
  ) {}

  /** The next delivery, signed now. */
  next(): Prepared {
    const n = this.made++;
    const id = randomUUID();
    const mdn = `+1201${String(1 + this.firstUser + (n % USERS)).padStart(7, '0')}`;
    const occurredAt = new Date(Deliveries.base + n).toISOString();
    const body = JSON.stringify(
      this.kind === 'sighting'
        ? { type: 'activity.seen', callbackId: id, occurredAt: new Date().toISOString(), mdn }
        : {
            type: 'provisioning.updated',
            callbackId: id,
            occurredAt,
            mdn,
            status: Math.floor(n / USERS) % 2 === 0 ? 'DISABLED' : 'ENABLED',
          },
    );
    const now = new Date();
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': this.signer.sign(id, now, body),
      },
    };
  }
}

interface Measured {
  perSecond: number;
  p99: number;
  non2xx: number;
}

function measured(result: autocannon.Result): Measured {
  refuseNon2xx(result);
  return {
    perSecond: result.requests.total / result.duration,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

function refuseNon2xx(result: autocannon.Result): void {
  if (result.non2xx > 0)
    throw new Error(`${result.non2xx} deliveries were refused: the comparison means nothing`);
}

/** Requests done in a fixed time, each a distinct delivery. */
function load(port: number, network: string, deliveries: Deliveries, seconds: number) {
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/webhooks/carriers/${network}`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, ...deliveries.next() }) }],
  });
}

async function untilInboxEmpty(pool: Pool): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await scalar(pool, 'SELECT count(*) FROM webhook_receipts WHERE completed_at IS NULL')) > 0) {
    if (Date.now() > deadline) throw new Error('the inbox did not drain in 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Each side starts its round on a settled machine: the previous round's dirty pages
 * written out, its autovacuum done, and the service's own work after it (it applies what
 * it accepted) over. Without this a round paid for the rounds before it: the floor ran
 * at 4,000-5,200 req/s in rounds of its own and at 1,600-2,600 after the service's
 * rounds, which flattered the service's ratio.
 */
async function quiet(pool: Pool, service: ChildProcess): Promise<void> {
  await pool.query('CHECKPOINT');
  const deadline = Date.now() + 30_000;
  const vacuuming = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'";
  while (Date.now() < deadline) {
    const before = cpuSeconds(service.pid!);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const busy = (cpuSeconds(service.pid!) - before) / 0.5;
    if (busy < 0.05 && (await scalar(pool, vacuuming)) === 0) return;
  }
}

async function scalar(pool: Pool, sql: string): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(sql);
  return Number(rows[0].count);
}

function median(rounds: Measured[]): Measured {
  return [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)];
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const each = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)} %`;
const out = (line: string) => process.stdout.write(`${line}\n`);
const row = (name: string, result: Measured, rounds: Measured[]) =>
  `   ${name.padEnd(8)} ${result.perSecond.toFixed(0).padStart(6)} req/s  p99 ${String(result.p99).padStart(4)} ms  (rounds: ${each(rounds.map((r) => r.perSecond))})`;

function seedSql(): string {
  return `
    CREATE TABLE bench_floor (source text, external_id text, payload text,
      received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source, external_id));
    INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, status, registered_at, updated_at)
    SELECT gen_random_uuid(), ${DEFAULT_ORGANIZATION_SQL}, 'F', 'L', 'u' || i, '+1201' || lpad(i::text, 7, '0'), 'u' || i || '@example.com', 'ACTIVE', now(), now()
    FROM generate_series(1, ${2 * USERS}) AS i;
    -- Lines as a live fleet has them: seen today, and today's sighting already published
    -- (a sighting publishes once a day per line, see src/lines/domain/sighting-events.ts).
    INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, last_seen_at, indicator,
                               event_sequence, event_last_seen_at)
    SELECT gen_random_uuid(), id, organization_id, CASE WHEN substr(mdn, 6)::int <= ${USERS} THEN 'att' ELSE 'tmobile' END,
           'ENABLED', now() - interval '1 day', now(), 'GREEN', 1, now() FROM users;
    ANALYZE;`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
