import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { newWebhookSecret } from '../../src/simulator/carrier-simulator';
import type { SentText } from '../../src/carriers/sms-gateway/sms-gateway.simulator';
import { spawnService, waitForExit } from './process';
import { TEST_TOKENS } from './tokens';

const SIMULATOR_JS = join(__dirname, '../../dist/src/simulator/main.js');

/** The carrier simulator as its own process: it outlives every kill of the service. */
export interface SimulatorProcess {
  url: string;
  control(path: string, body: unknown): Promise<void>;
  texts(): Promise<SentText[]>;
  stop(): Promise<void>;
}

export type Secrets = Record<'verizon' | 'att' | 'tmobile' | 'sms', string>;

export function newSecrets(): Secrets {
  return {
    verizon: newWebhookSecret(),
    att: newWebhookSecret(),
    tmobile: newWebhookSecret(),
    sms: newWebhookSecret(),
  };
}

export async function startSimulatorProcess(
  serviceUrl: string,
  secrets: Secrets,
  env: NodeJS.ProcessEnv = {},
): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [SIMULATOR_JS], {
    env: {
      PATH: process.env.PATH,
      SIMULATOR_PORT: '0',
      SERVICE_URL: serviceUrl,
      CARRIER_VERIZON_WEBHOOK_SECRET: secrets.verizon,
      CARRIER_ATT_WEBHOOK_SECRET: secrets.att,
      CARRIER_TMOBILE_WEBHOOK_SECRET: secrets.tmobile,
      SMS_WEBHOOK_SECRET: secrets.sms,
      ...env,
    },
    stdio: 'pipe',
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${output}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Carrier simulator on (http:\/\/[\d.:]+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', () => reject(new Error(`simulator exited: ${output}`)));
  });
  return {
    url,
    control: async (path, body) => {
      const response = await fetch(`${url}/_control/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`simulator control ${path}: ${response.status}`);
    },
    texts: async () => ((await (await fetch(`${url}/_control/log`)).json()) as { texts: SentText[] }).texts,
    stop: async () => {
      child.kill('SIGTERM');
      await waitForExit(child).catch(() => child.kill('SIGKILL'));
    },
  };
}

/** The built service, started again and again on the same database and port. */
export class ServiceUnderTest {
  readonly baseUrl: string;
  private child: (ChildProcess & { output: () => { stderr: string; stdout: string } }) | undefined;
  /** What every incarnation printed on stderr, for a failing test to show. */
  readonly crashes: string[] = [];
  restarts = 0;

  constructor(
    private readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  // Bounds are generous: on a 2-core machine that other test runs share, a start-up has taken
  // 20 s, and a request held by a killed attempt waits out the Idempotency-Key's 60 s.

  /** Starts it and waits until it answers /health/live (the database may still be down). */
  async start(env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<void> {
    this.launch(env);
    await this.waitUntilLive(timeoutMs);
  }

  /** Starts it, without waiting. */
  launch(env: NodeJS.ProcessEnv = {}): void {
    const child = spawnService({ ...this.env, ...env, PORT: String(this.port), HOST: '127.0.0.1' });
    this.child = child;
    this.restarts += 1;
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM')
        this.crashes.push(`exit ${code}: ${child.output().stderr}`);
    });
  }

  async waitUntilLive(timeoutMs = 180_000): Promise<void> {
    const child = this.child!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited at start: ${child.output().stderr}`);
      const live = await fetch(`${this.baseUrl}/health/live`).catch(() => undefined);
      if (live?.status === 200) return;
      if (Date.now() > deadline) throw new Error('service did not start in time');
      await sleep(50);
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await waitForExit(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await waitForExit(child, 30_000).catch(async () => {
      child.kill('SIGKILL');
      await waitForExit(child);
    });
  }

  output(): string {
    return this.child?.output().stdout ?? '';
  }
}

/** The service's environment for crash tests: the simulator's parties, short timers. */
export function serviceEnv(
  simulatorUrl: string,
  secrets: Secrets,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    ADMIN_API_TOKENS: Object.entries(TEST_TOKENS)
      .map(([role, token]) => `${role}:${token}`)
      .join(','),
    CARRIER_SIMULATOR: 'off',
    CARRIER_VERIZON_URL: `${simulatorUrl}/verizon`,
    CARRIER_ATT_URL: `${simulatorUrl}/att`,
    CARRIER_TMOBILE_URL: `${simulatorUrl}/tmobile`,
    SMS_GATEWAY_URL: `${simulatorUrl}/sms`,
    NUMBER_LOOKUP_URL: `${simulatorUrl}/lookup`,
    CARRIER_VERIZON_WEBHOOK_SECRET: secrets.verizon,
    CARRIER_ATT_WEBHOOK_SECRET: secrets.att,
    CARRIER_TMOBILE_WEBHOOK_SECRET: secrets.tmobile,
    SMS_WEBHOOK_SECRET: secrets.sms,
    CARRIER_TIMEOUT_MS: '3000',
    CARRIER_RETRIES: '1',
    CARRIER_BREAKER_VOLUME: '1000',
    // Never reached here: a line left waiting for the carrier would show as not settled.
    CARRIER_ANSWER_TIMEOUT_MINUTES: '30',
    RECONCILE_INTERVAL_MS: '500',
    RECONCILE_LEASE_SECONDS: '5',
    RECONCILE_RETRY_SECONDS: '3',
    JOBS_INTERVAL_SECONDS: '3600',
    ...env,
  };
}

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * A client that retries as a careful one does while the service is being killed: the
 * same Idempotency-Key each time, on a lost connection, a 5xx, or a 409 (the first
 * attempt still holds the key). Gives up after `forMs`: undefined.
 */
export async function retried(
  baseUrl: string,
  request: { method: string; path: string; body?: unknown; raw?: Buffer; type?: string; key: string },
  forMs = 400_000,
): Promise<Answer | undefined> {
  const deadline = Date.now() + forMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${TEST_TOKENS.admin}`,
          ...(request.raw || request.body !== undefined
            ? { 'content-type': request.type ?? 'application/json' }
            : {}),
          'idempotency-key': request.key,
        },
        body: request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body)),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      // 409 is also a business refusal (kept as the key's answer): only "still at work" is retried.
      const held = response.status === 409 && text.includes('still at work');
      if (response.status < 500 && !held) {
        return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      }
    } catch {
      // The service died under the request: try again with the same key.
    }
    await sleep(250 + randomInt(250));
  }
  return undefined;
}

/** Every text each number got, in order of sending. */
export function textsByNumber(texts: SentText[]): Map<string, number[]> {
  const byNumber = new Map<string, number[]>();
  for (const text of texts) {
    const times = byNumber.get(text.to) ?? [];
    times.push(Date.parse(text.at));
    byNumber.set(text.to, times);
  }
  for (const times of byNumber.values()) times.sort((a, b) => a - b);
  return byNumber;
}

/** The shortest gap between two texts to one number (Infinity for one text). */
export function shortestGap(times: number[]): number {
  let shortest = Infinity;
  for (let i = 1; i < times.length; i++) shortest = Math.min(shortest, times[i] - times[i - 1]);
  return shortest;
}
