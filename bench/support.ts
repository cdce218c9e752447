import { DEFAULT_ORGANIZATION } from '../src/organizations/domain/default-organization';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
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

/**
 * A script (the service's dist/src/main.js, or a bare server) in its own process, ready
 * once GET /health/live answers on `port`. Measured apart from the bench that drives it,
 * its figures (CPU, resident memory) are its own.
 */
export async function startProcess(
  script: string,
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<ChildProcess> {
  // BENCH_NODE_OPTIONS (e.g. --cpu-prof) goes to the measured processes, for profiling.
  const extra = process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  // BENCH_SERVICE_LOG (a path) keeps the processes' output, to see what they logged.
  const log = process.env.BENCH_SERVICE_LOG ? openSync(process.env.BENCH_SERVICE_LOG, 'a') : 'ignore';
  const child = spawn(process.execPath, [...extra, script], { env, stdio: ['ignore', log, 'inherit'] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/health/live`);
      return child;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The service's entry point, as `npm start` and the container run it. */
export const SERVICE_MAIN = join(__dirname, '../src/main.js');

/**
 * Applies the migrations to `url` in a process of their own, as the deployment's init
 * container does (k8s/deployment.yaml), so the measured service starts with
 * DB_MIGRATE_ON_START=false and without the schema engine in its memory (about 20 MB).
 */
export function migrateAsDeployed(url: string): void {
  execFileSync(process.execPath, [join(__dirname, '../src/database/cli/migrate.js')], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The memory settings the service is deployed with (the heap caps in NODE_OPTIONS, the
 * malloc arenas and mmap threshold), read from k8s/deployment.yaml. BENCH_SERVICE_NODE_OPTIONS tries other
 * Node options.
 */
export const DEPLOYED_MEMORY_ENV: NodeJS.ProcessEnv = (() => {
  const manifest = readFileSync(join(__dirname, '../../k8s/deployment.yaml'), 'utf8');
  const value = (name: string) => {
    const match = new RegExp(`name: ${name}, value: '?([^}']+?)'? \\}`).exec(manifest);
    if (!match) throw new Error(`k8s/deployment.yaml sets no ${name}`);
    return match[1];
  };
  return {
    NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS ?? value('NODE_OPTIONS'),
    MALLOC_ARENA_MAX: value('MALLOC_ARENA_MAX'),
    MALLOC_MMAP_THRESHOLD_: value('MALLOC_MMAP_THRESHOLD_'),
  };
})();

/** Stops a started process and waits for it to be gone. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  child.kill('SIGKILL');
}

/**
 * A process's resident set in MB (10^6 bytes), all of it and its anonymous part, from
 * /proc (Linux); zeros if it is gone.
 */
export function residentMb(pid: number): { all: number; anonymous: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (field: string) => {
      const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
      return match ? Math.round((Number(match[1]) * 1024) / 1e6) : 0;
    };
    return { all: mb('VmRSS'), anonymous: mb('RssAnon') };
  } catch {
    return { all: 0, anonymous: 0 };
  }
}

/** The CPU time a process has used, user and system, in seconds, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * How long `work` took, the CPU `pid` used meanwhile (on a shared machine a steadier
 * figure than the wall time), and the peak of its resident set (sampled every 50 ms):
 * all of it, and its anonymous part, the process's own memory, without the pages of the
 * node binary and libraries it maps (about 55 MB, shared and backed by their files).
 */
export async function withPeakRss<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{
  result: T;
  startMb: number;
  peakMb: number;
  peakAnonMb: number;
  seconds: number;
  cpuSeconds: number;
}> {
  const start = residentMb(pid);
  const startMb = start.all;
  const startCpu = cpuSeconds(pid);
  let peakMb = start.all;
  let peakAnonMb = start.anonymous;
  const sample = () => {
    const now = residentMb(pid);
    peakMb = Math.max(peakMb, now.all);
    peakAnonMb = Math.max(peakAnonMb, now.anonymous);
  };
  const timer = setInterval(sample, 50);
  const started = performance.now();
  try {
    const result = await work();
    sample();
    const seconds = (performance.now() - started) / 1000;
    return { result, startMb, peakMb, peakAnonMb, seconds, cpuSeconds: cpuSeconds(pid) - startCpu };
  } finally {
    clearInterval(timer);
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
