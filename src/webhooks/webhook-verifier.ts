import { Injectable } from '@nestjs/common';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { UnauthorizedError, ValidationFailedError } from '../common/errors/domain-error';
import { InjectConfig } from '../config/config.module';
import type { WebhooksConfig } from '../config/config';
import type { Network } from '../lines/domain/networks';

export type WebhookSource = Network | 'sms';

/** What a verified delivery carries: the parsed body and the sender's delivery id. */
export interface VerifiedDelivery {
  body: unknown;
  webhookId: string;
}

/**
 * Standard Webhooks: `webhook-signature` is `v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.rawBody` under the source's secret, compared in constant time;
 * a timestamp more than 5 minutes off is refused. Any of a source's secrets may have
 * signed it, so a sender can move to a new key without signing twice.
 */
@Injectable()
export class WebhookVerifier {
  private readonly verifiers = new Map<WebhookSource, Webhook[]>();

  constructor(@InjectConfig('webhooks') config: WebhooksConfig) {
    for (const [source, secrets] of Object.entries(config.secrets)) {
      if (secrets?.length)
        this.verifiers.set(
          source as WebhookSource,
          secrets.map((secret) => new Webhook(secret)),
        );
    }
  }

  verify(
    source: WebhookSource,
    rawBody: string | undefined,
    headers: Record<string, unknown>,
  ): VerifiedDelivery {
    const verifiers = this.verifiers.get(source);
    if (!verifiers) throw new UnauthorizedError(`No webhook secret is configured for ${source}`);
    const signed = {
      'webhook-id': header(headers, 'webhook-id'),
      'webhook-timestamp': header(headers, 'webhook-timestamp'),
      'webhook-signature': header(headers, 'webhook-signature'),
    };
    // The library reads the timestamp with parseInt, which takes "1700000000abc".
    if (!/^\d{1,15}$/.test(signed['webhook-timestamp'])) {
      throw new UnauthorizedError('Webhook refused: webhook-timestamp must be whole seconds since the epoch');
    }
    if (!/^[\x21-\x7e]{1,256}$/.test(signed['webhook-id'])) {
      throw new UnauthorizedError('Webhook refused: webhook-id must be 1 to 256 visible ASCII characters');
    }
    let refusal: unknown;
    for (const verifier of verifiers) {
      try {
        return { body: verifier.verify(rawBody ?? '', signed), webhookId: signed['webhook-id'] };
      } catch (error) {
        if (error instanceof SyntaxError) {
          throw new ValidationFailedError([{ field: 'body', reason: 'is not valid JSON' }]);
        }
        if (!(error instanceof WebhookVerificationError)) throw error;
        refusal = error;
      }
    }
    throw new UnauthorizedError(`Webhook refused: ${(refusal as Error).message}`);
  }
}

function header(headers: Record<string, unknown>, name: string): string {
  const value = headers[name];
  return typeof value === 'string' ? value : '';
}
