import { z } from 'zod';
import { NETWORK_KEYS, type Network } from '../lines/domain/networks';
import { ConfigError, describeIssues } from './config';
import { carrierVariable, integer, optionalText, type CarrierVariable } from './config.schema';

const secret = z.string({ message: 'must be set' }).trim().min(1, 'must be set');

/**
 * The carrier simulator's own settings (src/simulator/main.ts, a program of its own): read
 * once and checked like the service's, so a mistyped number is refused, not NaN.
 */
const simulatorSchema = z.object({
  SIMULATOR_PORT: integer(0, 65535).default(4010),
  SERVICE_URL: z
    .url({ message: 'must be an http(s) URL', protocol: /^https?$/ })
    .default('http://127.0.0.1:3000'),
  SIMULATOR_AUTO_REPLY: optionalText,
  SIMULATOR_CALLBACK_RETRY_SECONDS: integer(0, 86_400).optional(),
  SIMULATOR_CALLBACK_DELAY_MS: integer(0, 3_600_000).optional(),
  SMS_WEBHOOK_SECRET: secret,
  ...(Object.fromEntries(
    NETWORK_KEYS.map((network) => [carrierVariable(network, 'WEBHOOK_SECRET'), secret]),
  ) as Record<CarrierVariable<'WEBHOOK_SECRET'>, typeof secret>),
});

export interface SimulatorConfig {
  port: number;
  serviceUrl: string;
  autoReply?: string;
  callbackRetryMs?: number;
  callbackDelayMs?: number;
  secrets: Record<Network | 'sms', string>;
}

export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  const parsed = simulatorSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  const raw = parsed.data;
  return {
    port: raw.SIMULATOR_PORT,
    serviceUrl: raw.SERVICE_URL,
    autoReply: raw.SIMULATOR_AUTO_REPLY,
    callbackRetryMs:
      raw.SIMULATOR_CALLBACK_RETRY_SECONDS === undefined
        ? undefined
        : raw.SIMULATOR_CALLBACK_RETRY_SECONDS * 1000,
    callbackDelayMs: raw.SIMULATOR_CALLBACK_DELAY_MS,
    secrets: {
      ...(Object.fromEntries(
        NETWORK_KEYS.map((network) => [network, raw[carrierVariable(network, 'WEBHOOK_SECRET')]]),
      ) as Record<Network, string>),
      sms: raw.SMS_WEBHOOK_SECRET,
    },
  };
}
