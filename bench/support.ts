import { DEFAULT_ORGANIZATION } from '../src/organizations/domain/default-organization';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Benchmarks use their own database beside the one given, and drop it afterwards. */
export async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `mdn_bench_${randomBytes(4).toString('hex')}`;
  await run(admin, `CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function run(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))];
}

export async function timeRepeated(times: number, action: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    await action();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/**
 * The carrier settings production mode insists on, pointed at a closed port: the benches
 * that use them never call a carrier (no provisioning on registration).
 */
export function idleCarriersEnv(webhookSecret: string): NodeJS.ProcessEnv {
  const nowhere = 'http://127.0.0.1:9';
  return {
    CARRIER_SIMULATOR: 'off',
    PROVISION_ON_REGISTER: 'false',
    CARRIER_VERIZON_URL: nowhere,
    CARRIER_ATT_URL: nowhere,
    CARRIER_TMOBILE_URL: nowhere,
    SMS_GATEWAY_URL: nowhere,
    NUMBER_LOOKUP_URL: nowhere,
    CARRIER_VERIZON_WEBHOOK_SECRET: webhookSecret,
    CARRIER_ATT_WEBHOOK_SECRET: webhookSecret,
    CARRIER_TMOBILE_WEBHOOK_SECRET: webhookSecret,
    SMS_WEBHOOK_SECRET: webhookSecret,
    // Production mode wants the consent ledger's key; a bench makes a throwaway one.
    CONSENT_MDN_HASH_KEY: randomBytes(32).toString('hex'),
  };
}

/** Rows seeded straight into the tables belong to the organisation the migration made. */
export const DEFAULT_ORGANIZATION_SQL = `'${DEFAULT_ORGANIZATION.id}'::uuid`;
