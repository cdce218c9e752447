import { Injectable } from '@nestjs/common';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { UnauthorizedError, ValidationFailedError } from '../common/errors/domain-error';
import { InjectConfig } from '../config/config.module';
import type { WebhooksConfig } from '../config/config';
import type { Network } from '../lines/domain/networks';

export type WebhookSource = Network | 'sms';

/**
 * A delivery refused before its body was read: the signature did not hold (or no secret
 * is configured), or its timestamp is malformed or outside the tolerance (a replay, or a
 * sender's clock off by more than 5 minutes). Answered as any 401.
 */
export class WebhookRefusedError extends UnauthorizedError {
  constructor(
    message: string,
    readonly refusal: 'signature' | 'timestamp',
  ) {
    super(message);
  }
}

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
    if (!verifiers)
      throw new WebhookRefusedError(`No webhook secret is configured for ${source}`, 'signature');
    const signed = {
      'webhook-id': header(headers, 'webhook-id'),
      'webhook-timestamp': header(headers, 'webhook-timestamp'),
      'webhook-signature': header(headers, 'webhook-signature'),
    };
    // The library reads the timestamp with parseInt, which takes "1700000000abc".
    if (!/^\d{1,15}$/.test(signed['webhook-timestamp'])) {
      throw new WebhookRefusedError(
        'Webhook refused: webhook-timestamp must be whole seconds since the epoch',
        'timestamp',
      );
    }
    if (!/^[\x21-\x7e]{1,256}$/.test(signed['webhook-id'])) {
      throw new WebhookRefusedError(
        'Webhook refused: webhook-id must be 1 to 256 visible ASCII characters',
        'signature',
      );
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
    // The library checks the timestamp before any signature: its message says which failed.
    const message = (refusal as Error).message;
    throw new WebhookRefusedError(
      `Webhook refused: ${message}`,
      /timestamp/i.test(message) ? 'timestamp' : 'signature',
    );
  }
}

function header(headers: Record<string, unknown>, name: string): string {
  const value = headers[name];
  return typeof value === 'string' ? value : '';
}
