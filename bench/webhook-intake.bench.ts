/*
 * Signed webhook intake against PostgreSQL: the service's POST /v1/webhooks/carriers/att
 * (activity.seen) beside a bare Fastify handler doing the same signature check and SQL,
 * each in its own process, measured one after the other in the same run with autocannon.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from '../src/simulator/carrier-simulator';
import { createBenchDatabase, DEFAULT_ORGANIZATION_SQL, idleCarriersEnv, run } from './support';

const USERS = 10_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Distinct signed deliveries made ready per round: more than either side can take in SECONDS. */
const PREPARED = 5_000 * SECONDS;
const CONNECTIONS = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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
  try {
    const service = await startProcess(
      join(__dirname, '../src/main.js'),
      { ...env, PORT: '3931' },
      '/health/live',
      3931,
    );
    children.push(service);
    await run(database.url, seedSql());
    const bare = await startProcess(
      join(__dirname, 'bare-webhook-server.js'),
      { ...env, PORT: '3932' },
      undefined,
      3932,
    );
    children.push(bare);

    // Rounds alternate between the two, so drift on the machine touches both alike.
    const targets = [
      ['bare Fastify + same SQL', 3932],
      ['service', 3931],
    ] as const;
    const rounds: Record<string, Measured[]> = {};
    for (const [, port] of targets) await load(port, secret, 15_000, 3); // warm-up (JIT, pools, caches)
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, port] of targets) {
        (rounds[name] ??= []).push(measured(await load(port, secret, PREPARED, SECONDS)));
      }
    }
    const baseline = median(rounds[targets[0][0]]);
    process.stdout.write(`${SECONDS} s per round, ${CONNECTIONS} connections, median of ${ROUNDS} rounds\n`);
    for (const [name] of targets) {
      const result = median(rounds[name]);
      const each = rounds[name].map((round) => round.perSecond.toFixed(0)).join(', ');
      process.stdout.write(
        `${name.padEnd(24)} ${result.perSecond.toFixed(0).padStart(6)} req/s  p99 ${String(result.p99).padStart(4)} ms  ` +
          `non-2xx ${result.non2xx}  throughput vs bare ${((result.perSecond / baseline.perSecond) * 100).toFixed(0)}%  (rounds: ${each})\n`,
      );
    }
    if (Object.values(rounds).some((measured) => measured.some((round) => round.non2xx > 0))) {
      throw new Error('some deliveries were refused: the comparison means nothing');
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await database.drop();
  }
}

interface Measured {
  perSecond: number;
  p99: number;
  non2xx: number;
}

/**
 * Requests done in a fixed time. (A fixed number of requests ends on autocannon's
 * one-second tick: too coarse for rounds of about ten seconds.)
 */
function measured(result: autocannon.Result): Measured {
  if (result.requests.total >= PREPARED) throw new Error('ran out of distinct deliveries: raise PREPARED');
  return {
    perSecond: result.requests.total / result.duration,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

function median(rounds: Measured[]): Measured {
  const sorted = [...rounds].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

function seedSql(): string {
  return `
    INSERT INTO users (id, organization_id, first_name, last_name, username, mdn, email, status, registered_at, updated_at)
    SELECT gen_random_uuid(), ${DEFAULT_ORGANIZATION_SQL}, 'F', 'L', 'u' || i, '+1201' || lpad(i::text, 7, '0'), 'u' || i || '@example.com', 'ACTIVE', now(), now()
    FROM generate_series(1, ${USERS}) AS i;
    INSERT INTO network_lines (id, user_id, organization_id, network, status, status_changed_at, last_seen_at, indicator)
    SELECT gen_random_uuid(), id, organization_id, 'att', 'ENABLED', now(), now(), 'GREEN' FROM users;
    ANALYZE;`;
}

/** Every request is a distinct, validly signed delivery, made before the clock starts. */
function load(port: number, secret: string, amount: number, seconds: number): Promise<autocannon.Result> {
  const signer = new Webhook(secret);
  const requests = Array.from({ length: amount }, (_, i) => {
    const id = randomUUID();
    const body = JSON.stringify({
      type: 'activity.seen',
      callbackId: id,
      occurredAt: new Date(Date.now() + i).toISOString(),
      mdn: `+1201${String(1 + (i % USERS)).padStart(7, '0')}`,
    });
    const now = new Date();
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(id, now, body),
      },
    };
  });
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}/v1/webhooks/carriers/att`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, ...requests[next++ % requests.length] }) }],
  });
}

async function startProcess(
  script: string,
  env: NodeJS.ProcessEnv,
  health: string | undefined,
  port: number,
): Promise<ChildProcess> {
  // BENCH_NODE_OPTIONS (e.g. --cpu-prof) goes to the measured processes, for profiling.
  const extra = process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}${health ?? '/'}`);
      return child;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
