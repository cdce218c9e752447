import type { AppConfig } from '../../src/config/config';
import { Reconciler } from '../../src/provisioning-flow/reconciler';
import { CarrierSimulator, newWebhookSecret } from '../../src/simulator/carrier-simulator';
import { WebhookInboxJob } from '../../src/webhooks/inbox/webhook-inbox.job';
import { DatabaseService } from '../../src/database/database.service';
import { acrossOrganizations } from '../../src/database/data-scope';
import { ManualClock } from './clock';
import { DATABASE_KINDS, type TestDatabase } from './databases';
import { apiClient, type ApiClient } from './http';
import { startApp, testConfig, type RunningApp } from './app';

type Secrets = Record<'verizon' | 'att' | 'tmobile' | 'sms', string>;

export interface FlowHarness {
  secrets: Secrets;
  simulator: CarrierSimulator;
  running: RunningApp;
  admin: ApiClient;
  clock: ManualClock;
  database: TestDatabase;
  /**
   * Runs the reconciler and lets the simulator deliver its callbacks, until nothing is
   * due: what a wake-up and a few polls would do, without waiting for either.
   */
  settle(): Promise<void>;
  /**
   * The simulator's signed delivery, then an inbox pass: the stored delivery applied, as
   * the worker's wake-up does within milliseconds. Answers the service's response (202).
   */
  deliver(...args: Parameters<CarrierSimulator['deliver']>): Promise<Response>;
  /** Runs a job pass by class, as the scheduler would. */
  runJob(job: abstract new (...args: never[]) => { run(): Promise<number> }): Promise<number>;
  stop(): Promise<void>;
}

export interface FlowOptions {
  /** What the simulated subscriber answers every opt-in text (unset: silence). */
  autoReply?: string;
}

/** The service wired to the carrier simulator, on a fresh database (PostgreSQL unless told). */
export async function startFlow(
  env: NodeJS.ProcessEnv = {},
  createDatabase: () => TestDatabase | Promise<TestDatabase> = DATABASE_KINDS[1][1],
  options: FlowOptions = {},
): Promise<FlowHarness> {
  const world = await startWorld(options);
  const target: TestDatabase = await createDatabase();
  const running = await startApp(world.config(target, env), { clock: world.clock });
  world.simulator.setServiceUrl(running.baseUrl);
  return {
    secrets: world.secrets,
    simulator: world.simulator,
    running,
    clock: world.clock,
    database: target,
    admin: apiClient(running.baseUrl, 'admin'),
    runJob: (job) => running.app.get(job).run(),
    deliver: async (...args) => {
      const response = await world.simulator.deliver(...args);
      await running.app.get(WebhookInboxJob).run();
      return response;
    },
    settle: () => settleOne(world.simulator, running),
    stop: async () => {
      await world.simulator.stop();
      await running.stop();
      await target.drop();
    },
  };
}

export interface ReplicasHarness {
  secrets: Secrets;
  simulator: CarrierSimulator;
  replicas: RunningApp[];
  clock: ManualClock;
  database: TestDatabase;
  /** Runs every replica's reconciler at the same time, with the simulator settling in between, until nothing is due. */
  settle(maxPasses?: number): Promise<{ passes: number; handled: number[] }>;
  stop(): Promise<void>;
}

/**
 * Several instances of the service on one PostgreSQL database (as replicas behind a load
 * balancer) and one carrier simulator; the simulator's callbacks go to the first.
 */
export async function startReplicas(
  count: number,
  env: NodeJS.ProcessEnv = {},
  options: FlowOptions = {},
): Promise<ReplicasHarness> {
  const world = await startWorld(options);
  const target = await DATABASE_KINDS[1][1]();
  const replicas: RunningApp[] = [];
  try {
    for (let i = 0; i < count; i++) {
      // One after the other: the first applies the migrations, the others find them applied.
      replicas.push(await startApp(world.config(target, env), { clock: world.clock }));
    }
  } catch (error) {
    await Promise.allSettled(replicas.map((replica) => replica.stop()));
    await world.simulator.stop();
    await target.drop();
    throw error;
  }
  world.simulator.setServiceUrl(replicas[0].baseUrl);
  return {
    secrets: world.secrets,
    simulator: world.simulator,
    replicas,
    clock: world.clock,
    database: target,
    settle: async (maxPasses = 50) => {
      const handled = replicas.map(() => 0);
      for (let pass = 1; pass <= maxPasses; pass++) {
        const counts = await Promise.all(replicas.map((replica) => replica.app.get(Reconciler).run()));
        counts.forEach((n, i) => (handled[i] += n));
        await world.simulator.settle();
        // The callbacks just delivered are in the inbox: any replica's worker applies them.
        const applied = await Promise.all(replicas.map((replica) => replica.app.get(WebhookInboxJob).run()));
        if (counts.every((n) => n === 0) && applied.every((n) => n === 0) && !(await retryDueSoon(replicas[0])))
          return { passes: pass, handled };
      }
      throw new Error(`The reconcilers did not settle in ${maxPasses} passes`);
    },
    stop: async () => {
      await world.simulator.stop();
      for (const replica of replicas) await replica.stop();
      await target.drop();
    },
  };
}

/** The outside world (the simulator, webhook secrets, a manual clock) and the config that points at it. */
async function startWorld(options: FlowOptions) {
  const secrets: Secrets = {
    verizon: newWebhookSecret(),
    att: newWebhookSecret(),
    tmobile: newWebhookSecret(),
    sms: newWebhookSecret(),
  };
  const clock = new ManualClock(new Date());
  const simulator = await new CarrierSimulator({
    secrets,
    callbackDelayMs: 5,
    now: () => clock.now(),
    autoReply: options.autoReply,
  }).start();
  const config = (target: TestDatabase, env: NodeJS.ProcessEnv): AppConfig =>
    testConfig(target, {
      PROVISION_ON_REGISTER: 'true',
      CARRIER_VERIZON_URL: simulator.urlOf('verizon'),
      CARRIER_ATT_URL: simulator.urlOf('att'),
      CARRIER_TMOBILE_URL: simulator.urlOf('tmobile'),
      SMS_GATEWAY_URL: simulator.urlOf('sms'),
      NUMBER_LOOKUP_URL: simulator.urlOf('lookup'),
      CARRIER_VERIZON_WEBHOOK_SECRET: secrets.verizon,
      CARRIER_ATT_WEBHOOK_SECRET: secrets.att,
      CARRIER_TMOBILE_WEBHOOK_SECRET: secrets.tmobile,
      SMS_WEBHOOK_SECRET: secrets.sms,
      CARRIER_TIMEOUT_MS: '1000',
      CARRIER_RETRIES: '1',
      CARRIER_BREAKER_VOLUME: '3',
      CARRIER_BREAKER_RESET_MS: '300',
      ...env,
    });
  return { secrets, clock, simulator, config };
}

/** The single app's settle: its reconciler, then the simulator's callbacks, until nothing is due. */
async function settleOne(simulator: CarrierSimulator, running: RunningApp): Promise<void> {
  const reconciler = running.app.get(Reconciler);
  const inbox = running.app.get(WebhookInboxJob);
  for (let pass = 0; pass < 50; pass++) {
    const handled = (await inbox.run()) + (await reconciler.run());
    await simulator.settle();
    // The callbacks the simulator just delivered sit in the inbox until applied.
    if (handled + (await inbox.run()) === 0 && !(await retryDueSoon(running))) return;
  }
  throw new Error('The reconciler did not settle in 50 passes');
}

/**
 * Whether a delivery that failed is due again within a second (a receipt that overtook
 * its text is given back with a short backoff): if so, waits until it is, and says so.
 */
async function retryDueSoon(running: RunningApp): Promise<boolean> {
  const database = running.app.get(DatabaseService);
  const [row] = await acrossOrganizations('test: the inbox is the service’s', () =>
    database.run(
      (db) => db.$queryRaw<{ ms: number | null }[]>`
        SELECT (extract(epoch FROM min(due_at) - now()) * 1000)::float8 AS ms
        FROM webhook_receipts WHERE completed_at IS NULL`,
    ),
  );
  if (row.ms === null || row.ms > 1_000) return false;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, row.ms!) + 10));
  return true;
}
