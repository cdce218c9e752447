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
import { carrierVariable } from '../config/config.schema';
import { NETWORK_KEYS, type Network } from '../lines/domain/networks';
import { CarrierSimulator } from './carrier-simulator';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} must be set\n`);
    process.exit(1);
  }
  return value;
}

function number(value: string | undefined): number | undefined {
  return value ? Number(value) : undefined;
}

function seconds(value: string | undefined): number | undefined {
  const count = number(value);
  return count === undefined ? undefined : count * 1000;
}

const simulator = new CarrierSimulator({
  serviceUrl: process.env.SERVICE_URL ?? 'http://127.0.0.1:3000',
  autoReply: process.env.SIMULATOR_AUTO_REPLY,
  callbackRetryMs: seconds(process.env.SIMULATOR_CALLBACK_RETRY_SECONDS),
  callbackDelayMs: number(process.env.SIMULATOR_CALLBACK_DELAY_MS),
  secrets: {
    ...(Object.fromEntries(
      NETWORK_KEYS.map((network) => [network, required(carrierVariable(network, 'WEBHOOK_SECRET'))]),
    ) as Record<Network, string>),
    sms: required('SMS_WEBHOOK_SECRET'),
  },
});

simulator.start(Number(process.env.SIMULATOR_PORT ?? 4010)).then(
  () => process.stdout.write(`Carrier simulator on ${simulator.url}\n`),
  (error: unknown) => {
    process.stderr.write(`Simulator failed to start: ${String(error)}\n`);
    process.exit(1);
  },
);
process.once('SIGTERM', () => void simulator.stop().then(() => process.exit(0)));
