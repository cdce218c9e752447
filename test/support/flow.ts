import { Reconciler } from '../../src/provisioning-flow/reconciler';
import { CarrierSimulator, newWebhookSecret } from '../../src/simulator/carrier-simulator';
import { ManualClock } from './clock';
import { DATABASE_KINDS, type TestDatabase } from './databases';
import { apiClient, type ApiClient } from './http';
import { startApp, testConfig, type RunningApp } from './app';

export interface FlowHarness {
  secrets: Record<'verizon' | 'att' | 'tmobile' | 'sms', string>;
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
  /** Runs a job pass by class, as the scheduler would. */
  runJob(job: abstract new (...args: never[]) => { run(): Promise<number> }): Promise<number>;
  stop(): Promise<void>;
}

/** The service wired to the carrier simulator, on a fresh database (PostgreSQL unless told). */
export async function startFlow(
  env: NodeJS.ProcessEnv = {},
  createDatabase: () => TestDatabase | Promise<TestDatabase> = DATABASE_KINDS[1][1],
): Promise<FlowHarness> {
  const secrets = {
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
  }).start();
  const target: TestDatabase = await createDatabase();
  const config = testConfig(target, {
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
  const running = await startApp(config, { clock });
  simulator.setServiceUrl(running.baseUrl);
  return {
    secrets,
    simulator,
    running,
    clock,
    database: target,
    admin: apiClient(running.baseUrl, 'admin'),
    runJob: (job) => running.app.get(job).run(),
    settle: async () => {
      const reconciler = running.app.get(Reconciler);
      for (let pass = 0; pass < 50; pass++) {
        const handled = await reconciler.run();
        await simulator.settle();
        if (handled === 0) return;
      }
      throw new Error('The reconciler did not settle in 50 passes');
    },
    stop: async () => {
      await simulator.stop();
      await running.stop();
      await target.drop();
    },
  };
}
