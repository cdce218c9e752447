/*
 * The carrier simulator on its own:
 *   SIMULATOR_PORT=4010 SERVICE_URL=http://127.0.0.1:3000 \
 *   CARRIER_VERIZON_WEBHOOK_SECRET=whsec_... (one per network, and SMS_WEBHOOK_SECRET) \
 *   node dist/src/simulator/main.js
 * SIMULATOR_CALLBACK_RETRY_SECONDS (default 12) bounds how long a callback is retried
 * while the service fails or is down; SIMULATOR_CALLBACK_DELAY_MS delays each callback.
 * Point the service's CARRIER_*_URL at http://127.0.0.1:4010/<network>,
 * SMS_GATEWAY_URL at /sms and NUMBER_LOOKUP_URL at /lookup.
 */
import { ConfigError } from '../config/config';
import { loadSimulatorConfig, type SimulatorConfig } from '../config/simulator-config';
import { CarrierSimulator } from './carrier-simulator';

function config(): SimulatorConfig {
  try {
    return loadSimulatorConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const { port, ...options } = config();
const simulator = new CarrierSimulator(options);

simulator.start(port).then(
  () => process.stdout.write(`Carrier simulator on ${simulator.url}\n`),
  (error: unknown) => {
    process.stderr.write(`Simulator failed to start: ${String(error)}\n`);
    process.exit(1);
  },
);
process.once('SIGTERM', () => void simulator.stop().then(() => process.exit(0)));
