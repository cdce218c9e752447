import { acrossOrganizations } from '../database/data-scope';
import { applyDecorators, Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { WEBHOOK_ANSWER_SCHEMA } from '../http/response-schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PublicRoute } from '../auth/roles';
import { MultilineFields } from '../http/route-policy';
import { normalizeMdn } from '../lines/domain/mdn';
import type { Network } from '../lines/domain/networks';
import { NetworkPipe } from '../lines/http/parse-id.pipe';
import { Metrics, WEBHOOK_OUTCOMES, type WebhookOutcome } from '../metrics/metrics.service';
import { OverloadedError, ValidationFailedError } from '../common/errors/domain-error';
import { NETWORK_KEYS } from '../lines/domain/networks';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { refuseFutureTime } from '../http/time-sanity';
import { InboxBacklog } from './inbox/inbox-backlog';
import { DELIVERY_OUTCOMES, RECEIPT_PREFIX, type InboxDelivery } from './inbox/inbox-delivery';
import { WebhookInboxRepository } from './inbox/webhook-inbox.repository';
import { carrierCallbackSchema, parsePayload, smsDeliverySchema, smsReplySchema } from './webhook-payloads';
import { WebhookRefusedError, WebhookVerifier, type WebhookSource } from './webhook-verifier';

/** Fastify has parsed the JSON body (once); the signature is checked over the raw bytes it kept. */
type RawRequest = FastifyRequest & { rawBody?: Buffer };

/** A webhook's two success answers, for the OpenAPI document. */
const Answers = () =>
  applyDecorators(
    ApiAcceptedResponse({
      schema: WEBHOOK_ANSWER_SCHEMA,
      description: 'Stored; applied by the inbox worker',
    }),
    ApiOkResponse({
      schema: WEBHOOK_ANSWER_SCHEMA,
      description: 'A duplicate: stored before, nothing more happens',
    }),
  );

const E164 = /^\+[1-9]\d{7,14}$/;

/** Carriers send E.164 already; only other spellings pay for a full parse. */
function toE164(mdn: string): string {
  if (E164.test(mdn)) return mdn;
  const parsed = normalizeMdn(mdn);
  return parsed.ok ? parsed.e164 : mdn;
}

/**
 * Carriers and the SMS gateway call in here; signed, not bearer-authenticated.
 *
 * The transactional inbox: a delivery is verified (signature, timestamp, payload) and
 * stored (with those received at the same moment), then answered; the inbox worker
 * applies it, in order per number.
 * What a sender sees:
 * - 202 `{ "status": "accepted" }`: stored; it will be applied (or kept in the line's
 *   history if it is older than the line's status);
 * - 200 `{ "status": "duplicate" }`: this payload id or `webhook-id` was already stored,
 *   applied or not; nothing more happens;
 * - 400 / 401 / 413: refused for good (bad payload, bad signature or stale timestamp,
 *   too large); do not retry;
 * - 503 with Retry-After: the inbox is deeper than WEBHOOK_INBOX_MAX_BACKLOG, intake's
 *   INSERTs cannot keep up (WebhookInboxRepository), or the database is down; retry
 *   later. Nothing was stored.
 * A number no live line has is accepted and ends as `not_found` in the metrics: the
 * sender could do nothing else with a refusal.
 */
@ApiTags('webhooks')
@PublicRoute()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly verifier: WebhookVerifier,
    private readonly inbox: WebhookInboxRepository,
    private readonly backlog: InboxBacklog,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Every source's series exist from the start: rates and alerts over them need no first event.
    for (const source of [...NETWORK_KEYS, 'sms'] as const) {
      for (const outcome of WEBHOOK_OUTCOMES) this.metrics.webhookDeliveries.inc({ source, outcome }, 0);
      for (const outcome of DELIVERY_OUTCOMES) this.metrics.webhookInboxApplied.inc({ source, outcome }, 0);
    }
  }

  @Post('carriers/:network')
  @Answers()
  @HttpCode(202)
  carrier(
    @Param('network', NetworkPipe) network: Network,
    @Req() request: RawRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.stored(network, reply, () => {
      const webhookId = this.verifier.verify(network, request.rawBody, request.headers);
      const body = parsePayload(carrierCallbackSchema, request.body);
      this.refuseFuture('occurredAt', body.occurredAt);
      const mdn = toE164(body.mdn);
      return {
        source: network,
        payloadId: body.callbackId,
        webhookId,
        orderKey: mdn,
        payload: { ...body, mdn },
      };
    });
  }

  @Post('sms')
  @Answers()
  @HttpCode(202)
  @MultilineFields('text')
  sms(@Req() request: RawRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.stored('sms', reply, () => {
      const webhookId = this.verifier.verify('sms', request.rawBody, request.headers);
      const body = parsePayload(smsReplySchema, request.body);
      this.refuseFuture('receivedAt', body.receivedAt);
      return {
        source: 'sms' as const,
        payloadId: body.messageId,
        webhookId,
        orderKey: toE164(body.from),
        payload: body,
      };
    });
  }

  /**
   * The gateway's delivery receipt for a text, stored as the replies are: applied in order
   * with the number's other deliveries, appended to the consent ledger by the worker. Its
   * payload id is the receipt's, kept apart from message ids by a prefix.
   */
  @Post('sms/delivery')
  @Answers()
  @HttpCode(202)
  smsDelivery(@Req() request: RawRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.stored('sms', reply, () => {
      const webhookId = this.verifier.verify('sms', request.rawBody, request.headers);
      const body = parsePayload(smsDeliverySchema, request.body);
      this.refuseFuture('occurredAt', body.occurredAt);
      return {
        source: 'sms' as const,
        payloadId: `${RECEIPT_PREFIX}${body.receiptId}`,
        webhookId,
        // A receipt names the text, not the number: its own key, so it waits for nothing.
        orderKey: `${RECEIPT_PREFIX}${body.messageId}`,
        payload: body,
      };
    });
  }

  private refuseFuture(field: string, at: Date): void {
    refuseFutureTime(field, at, this.clock.now(), this.config.http.maxFutureSkewMs);
  }

  /**
   * Verifies and stores a delivery, and counts it by outcome, refusals included. Carriers
   * and the SMS gateway speak of a number, not of an organisation: the inbox is the
   * service's, and a delivery finds its line across organisations when applied.
   */
  private async stored(
    source: WebhookSource,
    reply: FastifyReply,
    verified: () => InboxDelivery,
  ): Promise<{ status: 'accepted' | 'duplicate' }> {
    let accepted: boolean;
    try {
      accepted = await this.backlog.receiving(() =>
        acrossOrganizations(`${source} webhook`, async () => {
          const delivery = verified();
          if (this.backlog.isFull()) {
            throw new OverloadedError(
              'Too many deliveries are waiting to be applied; retry later',
              this.backlog.retryAfterSeconds,
            );
          }
          return this.inbox.accept(delivery);
        }),
      );
    } catch (error) {
      const outcome = refusalOutcome(error);
      if (outcome) this.metrics.webhookDeliveries.inc({ source, outcome });
      throw error;
    }
    const status = accepted ? 'accepted' : 'duplicate';
    this.metrics.webhookDeliveries.inc({ source, outcome: status });
    if (accepted) this.backlog.stored();
    else void reply.status(200);
    return { status };
  }
}

/**
 * Which refusal a failed delivery was. A body stamped in the future is a bad payload; a
 * failure of our own (the database) is none of these and shows in the HTTP metrics only.
 */
function refusalOutcome(error: unknown): WebhookOutcome | undefined {
  if (error instanceof WebhookRefusedError) return `refused_${error.refusal}`;
  if (error instanceof ValidationFailedError) return 'refused_payload';
  if (error instanceof OverloadedError) return 'deferred';
  return undefined;
}
