import { acrossOrganizations } from '../database/data-scope';
import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { WEBHOOK_ANSWER_SCHEMA } from '../http/response-schemas';
import type { FastifyRequest } from 'fastify';
import { HandlePortOut } from '../provisioning-flow/usecases/handle-port-out.usecase';
import { PublicRoute } from '../auth/roles';
import { MultilineFields } from '../http/route-policy';
import { ApplyCarrierCallback } from '../provisioning-flow/usecases/apply-carrier-callback.usecase';
import { normalizeMdn } from '../lines/domain/mdn';
import type { Network } from '../lines/domain/networks';
import { NetworkPipe } from '../lines/http/parse-id.pipe';
import { HandleOptInReply } from '../provisioning-flow/usecases/handle-opt-in-reply.usecase';
import { HandleDeliveryReceipt } from '../provisioning-flow/usecases/handle-delivery-receipt.usecase';
import { Metrics, WEBHOOK_OUTCOMES, type WebhookOutcome } from '../metrics/metrics.service';
import { NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { NETWORK_KEYS } from '../lines/domain/networks';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { refuseFutureTime } from '../http/time-sanity';
import {
  carrierCallbackSchema,
  parsePayload,
  smsDeliverySchema,
  smsReplySchema,
  type CarrierCallback,
} from './webhook-payloads';
import { WebhookReceiptsRepository } from './webhook-receipts.repository';
import { WebhookRefusedError, WebhookVerifier, type WebhookSource } from './webhook-verifier';

type RawRequest = FastifyRequest & { rawBody?: Buffer };

const E164 = /^\+[1-9]\d{7,14}$/;

/** Carriers send E.164 already; only other spellings pay for a full parse. */
function toE164(mdn: string): string {
  if (E164.test(mdn)) return mdn;
  const parsed = normalizeMdn(mdn);
  return parsed.ok ? parsed.e164 : mdn;
}

/** Carriers and the SMS gateway call in here; signed, not bearer-authenticated. */
@ApiTags('webhooks')
@PublicRoute()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly verifier: WebhookVerifier,
    private readonly receipts: WebhookReceiptsRepository,
    private readonly callbacks: ApplyCarrierCallback,
    private readonly portOut: HandlePortOut,
    private readonly replies: HandleOptInReply,
    private readonly deliveries: HandleDeliveryReceipt,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Every source's series exist from the start: rates and alerts over them need no first event.
    for (const source of [...NETWORK_KEYS, 'sms'])
      for (const outcome of WEBHOOK_OUTCOMES) this.metrics.webhookDeliveries.inc({ source, outcome }, 0);
  }

  @Post('carriers/:network')
  @ApiOkResponse({ schema: WEBHOOK_ANSWER_SCHEMA })
  @HttpCode(200)
  carrier(@Param('network', NetworkPipe) network: Network, @Req() request: RawRequest) {
    return this.counted(network, async () => {
      const delivery = this.verifier.verify(network, request.rawBody?.toString('utf8'), request.headers);
      const body = parsePayload(carrierCallbackSchema, delivery.body);
      this.refuseFuture('occurredAt', body.occurredAt);
      const callback = { ...body, mdn: toE164(body.mdn) };
      const ids = { payloadId: callback.callbackId, webhookId: delivery.webhookId };
      return this.receipts.once(network, ids, () => this.apply(network, callback));
    });
  }

  @Post('sms')
  @ApiOkResponse({ schema: WEBHOOK_ANSWER_SCHEMA })
  @HttpCode(200)
  @MultilineFields('text')
  sms(@Req() request: RawRequest) {
    return this.counted('sms', async () => {
      const delivery = this.verifier.verify('sms', request.rawBody?.toString('utf8'), request.headers);
      const body = parsePayload(smsReplySchema, delivery.body);
      this.refuseFuture('receivedAt', body.receivedAt);
      const ids = { payloadId: body.messageId, webhookId: delivery.webhookId };
      return this.receipts.once('sms', ids, () => this.replies.execute(body));
    });
  }

  /** The gateway's delivery receipt for a text: appended to the consent ledger. */
  @Post('sms/delivery')
  @ApiOkResponse({ schema: WEBHOOK_ANSWER_SCHEMA })
  @HttpCode(200)
  smsDelivery(@Req() request: RawRequest) {
    return this.counted('sms', async () => {
      const delivery = this.verifier.verify('sms', request.rawBody?.toString('utf8'), request.headers);
      const body = parsePayload(smsDeliverySchema, delivery.body);
      this.refuseFuture('occurredAt', body.occurredAt);
      const ids = { payloadId: `receipt:${body.receiptId}`, webhookId: delivery.webhookId };
      return this.receipts.once('sms', ids, () => this.deliveries.execute(body));
    });
  }

  private refuseFuture(field: string, at: Date): void {
    refuseFutureTime(field, at, this.clock.now(), this.config.http.maxFutureSkewMs);
  }

  /**
   * Takes a delivery in and counts it by outcome, refusals included. Carriers and the SMS
   * gateway speak of a number, not of an organisation: a delivery finds its line across
   * organisations (a number belongs to one live user in all of them).
   */
  private async counted(
    source: WebhookSource,
    intake: () => Promise<'duplicate' | Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    let result: 'duplicate' | Record<string, unknown>;
    try {
      result = await acrossOrganizations(`${source} webhook`, intake);
    } catch (error) {
      const outcome = refusalOutcome(error);
      if (outcome) this.metrics.webhookDeliveries.inc({ source, outcome });
      throw error;
    }
    const status = result === 'duplicate' ? 'duplicate' : 'accepted';
    this.metrics.webhookDeliveries.inc({ source, outcome: status });
    return result === 'duplicate' ? { status } : { status, ...result };
  }

  private async apply(network: Network, callback: CarrierCallback): Promise<Record<string, unknown>> {
    switch (callback.type) {
      case 'provisioning.updated':
        return this.callbacks.provisioningUpdated({ network, ...callback });
      case 'activity.seen':
        await this.callbacks.activitySeen(network, callback.mdn, callback.occurredAt);
        return {};
      case 'number.ported_out':
        return this.portOut.execute(network, callback.mdn, callback.occurredAt);
    }
  }
}

/**
 * Which refusal a failed delivery was. A body stamped in the future is a bad payload; a
 * failure of our own (the database) is none of these and shows in the HTTP metrics only.
 */
function refusalOutcome(error: unknown): WebhookOutcome | undefined {
  if (error instanceof WebhookRefusedError) return `refused_${error.refusal}`;
  if (error instanceof ValidationFailedError) return 'refused_payload';
  if (error instanceof NotFoundError) return 'not_found';
  return undefined;
}
