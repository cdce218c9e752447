import { Inject, Injectable } from '@nestjs/common';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { UnauthorizedError, ValidationFailedError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import type { Network } from '../provisioning/domain/networks';

export type WebhookSource = Network | 'sms';

/**
 * Standard Webhooks: `webhook-signature` is `v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.rawBody` under the source's secret, compared in constant time;
 * a timestamp more than 5 minutes off is refused.
 */
@Injectable()
export class WebhookVerifier {
  private readonly verifiers = new Map<WebhookSource, Webhook>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    for (const [source, secret] of Object.entries(config.carriers.webhookSecrets)) {
      if (secret) this.verifiers.set(source as WebhookSource, new Webhook(secret));
    }
  }

  /** Returns the parsed JSON body once the signature holds. */
  verify(source: WebhookSource, rawBody: string | undefined, headers: Record<string, unknown>): unknown {
    const verifier = this.verifiers.get(source);
    if (!verifier) throw new UnauthorizedError(`No webhook secret is configured for ${source}`);
    const signed = {
      'webhook-id': header(headers, 'webhook-id'),
      'webhook-timestamp': header(headers, 'webhook-timestamp'),
      'webhook-signature': header(headers, 'webhook-signature'),
    };
    try {
      return verifier.verify(rawBody ?? '', signed);
    } catch (error) {
      if (error instanceof WebhookVerificationError)
        throw new UnauthorizedError(`Webhook refused: ${error.message}`);
      if (error instanceof SyntaxError) {
        throw new ValidationFailedError([{ field: 'body', reason: 'is not valid JSON' }]);
      }
      throw error;
    }
  }
}

function header(headers: Record<string, unknown>, name: string): string {
  const value = headers[name];
  return typeof value === 'string' ? value : '';
}
