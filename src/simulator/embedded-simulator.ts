import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../config/config';
import { NETWORK_KEYS } from '../provisioning/domain/networks';
import { CarrierSimulator, newWebhookSecret } from './carrier-simulator';

/**
 * The embedded default plays the carriers itself, so a new user sees the whole flow on
 * one machine. Missing webhook secrets are made up for the run; the simulator answers
 * every opt-in text YES.
 */
export async function startSimulator(
  config: AppConfig,
): Promise<{ instance: CarrierSimulator; config: AppConfig }> {
  const given = config.carriers.webhookSecrets;
  const secrets = {
    verizon: given.verizon ?? newWebhookSecret(),
    att: given.att ?? newWebhookSecret(),
    tmobile: given.tmobile ?? newWebhookSecret(),
    sms: given.sms ?? newWebhookSecret(),
  };
  const instance = await new CarrierSimulator({ secrets, autoReply: 'YES', callbackDelayMs: 500 }).start();
  const carriers = {
    ...config.carriers,
    urls: Object.fromEntries(NETWORK_KEYS.map((network) => [network, instance.urlOf(network)])),
    smsGatewayUrl: instance.urlOf('sms'),
    numberLookupUrl: instance.urlOf('lookup'),
    webhookSecrets: secrets,
  };
  return { instance, config: { ...config, carriers } };
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
