import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { UnauthorizedError } from '../common/errors/domain-error';
import { InjectConfig } from '../config/config.module';
import type { WebhooksConfig } from '../config/config';
import type { Network } from '../lines/domain/networks';

export type WebhookSource = Network | 'sms';

/** Standard Webhooks' tolerance: a timestamp further off than this is refused. */
const TOLERANCE_SECONDS = 5 * 60;

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

/**
 * Standard Webhooks: `webhook-signature` is `v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.rawBody` under the source's secret (`whsec_` + base64 key), compared in
 * constant time; a timestamp more than 5 minutes off is refused. Any of a source's
 * secrets may have signed it, so a sender can move to a new key without signing twice.
 *
 * Written on node:crypto rather than with the `standardwebhooks` package, which the
 * simulator and the tests still sign with and which the verifier's unit test holds this
 * to: the package computes SHA-256 in JavaScript and parses the body again, 13.6 µs a
 * verification against 1.8 µs here (the raw bytes hashed natively, the body Fastify
 * already parsed used as it is).
 */
@Injectable()
export class WebhookVerifier {
  private readonly keys = new Map<WebhookSource, KeyObject[]>();

  constructor(@InjectConfig('webhooks') config: WebhooksConfig) {
    for (const [source, secrets] of Object.entries(config.secrets)) {
      if (secrets?.length)
        this.keys.set(
          source as WebhookSource,
          // Key objects made once: createHmac given bytes builds one per call, a third of its cost.
          secrets.map((secret) => createSecretKey(Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))),
        );
    }
  }

  /** Returns the delivery's `webhook-id` if one of the source's secrets signed it; else throws. */
  verify(source: WebhookSource, rawBody: Buffer | undefined, headers: Record<string, unknown>): string {
    const keys = this.keys.get(source);
    if (!keys) throw new WebhookRefusedError(`No webhook secret is configured for ${source}`, 'signature');
    const id = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signatures = header(headers, 'webhook-signature');
    if (!id || !timestamp || !signatures) {
      throw new WebhookRefusedError('Webhook refused: missing required headers', 'signature');
    }
    if (!/^\d{1,15}$/.test(timestamp)) {
      throw new WebhookRefusedError(
        'Webhook refused: webhook-timestamp must be whole seconds since the epoch',
        'timestamp',
      );
    }
    if (!/^[\x21-\x7e]{1,256}$/.test(id)) {
      throw new WebhookRefusedError(
        'Webhook refused: webhook-id must be 1 to 256 visible ASCII characters',
        'signature',
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const seconds = Number(timestamp);
    if (now - seconds > TOLERANCE_SECONDS) {
      throw new WebhookRefusedError('Webhook refused: message timestamp too old', 'timestamp');
    }
    if (seconds - now > TOLERANCE_SECONDS) {
      throw new WebhookRefusedError('Webhook refused: message timestamp too new', 'timestamp');
    }
    const offered = signatures
      .split(' ')
      .filter((versioned) => versioned.startsWith('v1,'))
      .map((versioned) => Buffer.from(versioned.slice(3)));
    for (const key of keys) {
      const expected = Buffer.from(
        createHmac('sha256', key)
          .update(`${id}.${seconds}.`)
          .update(rawBody ?? '')
          .digest('base64'),
      );
      if (offered.some((signature) => equalInConstantTime(signature, expected))) return id;
    }
    throw new WebhookRefusedError('Webhook refused: no matching signature found', 'signature');
  }
}

/** Compares in time that depends on the expected length only (timingSafeEqual needs equal lengths). */
function equalInConstantTime(offered: Buffer, expected: Buffer): boolean {
  return offered.length === expected.length && timingSafeEqual(offered, expected);
}

function header(headers: Record<string, unknown>, name: string): string {
  const value = headers[name];
  return typeof value === 'string' ? value : '';
}
