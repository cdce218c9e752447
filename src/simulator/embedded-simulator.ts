import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/config';
import { NETWORK_KEYS, type Network } from '../lines/domain/networks';
import { CarrierSimulator, newWebhookSecret } from './carrier-simulator';

/**
 * The embedded default plays the carriers itself, so a new user sees the whole flow on
 * one machine. Missing webhook secrets are made up for the run; the simulator answers
 * every opt-in text YES.
 */
export async function startSimulator(
  config: AppConfig,
): Promise<{ instance: CarrierSimulator; config: AppConfig }> {
  const given = config.webhooks.secrets;
  // The simulator signs with a source's first (newest) secret.
  const secrets = Object.fromEntries(
    [...NETWORK_KEYS, 'sms' as const].map((source) => [source, given[source]?.[0] ?? newWebhookSecret()]),
  ) as Record<Network | 'sms', string>;
  const instance = await new CarrierSimulator({ secrets, autoReply: 'YES', callbackDelayMs: 500 }).start();
  const carriers = {
    ...config.carriers,
    urls: Object.fromEntries(NETWORK_KEYS.map((network) => [network, instance.urlOf(network)])),
    smsGatewayUrl: instance.urlOf('sms'),
    numberLookupUrl: instance.urlOf('lookup'),
  };
  const webhooks = {
    ...config.webhooks,
    secrets: Object.fromEntries(Object.entries(secrets).map(([source, secret]) => [source, [secret]])),
  };
  return { instance, config: { ...config, carriers, webhooks } };
}

export function attachSimulator(app: NestFastifyApplication, simulator: CarrierSimulator): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onListen', (done) => {
    const address = fastify.server.address();
    if (typeof address === 'object' && address) simulator.setServiceUrl(`http://127.0.0.1:${address.port}`);
    done();
  });
  fastify.addHook('onClose', async () => simulator.stop());
}
