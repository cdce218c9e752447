import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { HandlePortOut } from '../provisioning-flow/usecases/handle-port-out.usecase';
import { PublicRoute } from '../auth/roles';
import { MultilineFields } from '../http/route-policy';
import { ApplyCarrierCallback } from '../provisioning-flow/usecases/apply-carrier-callback.usecase';
import { normalizeMdn } from '../lines/domain/mdn';
import type { Network } from '../lines/domain/networks';
import { NetworkPipe } from '../lines/http/parse-id.pipe';
import { HandleOptInReply } from '../provisioning-flow/usecases/handle-opt-in-reply.usecase';
import { Metrics } from '../metrics/metrics.service';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { refuseFutureTime } from '../http/time-sanity';
import {
  carrierCallbackSchema,
  parsePayload,
  smsReplySchema,
  type CarrierCallback,
} from './webhook-payloads';
import { WebhookReceiptsRepository } from './webhook-receipts.repository';
import { WebhookVerifier } from './webhook-verifier';

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
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('carriers/:network')
  @HttpCode(200)
  async carrier(@Param('network', NetworkPipe) network: Network, @Req() request: RawRequest) {
    const delivery = this.verifier.verify(network, request.rawBody?.toString('utf8'), request.headers);
    const body = parsePayload(carrierCallbackSchema, delivery.body);
    this.refuseFuture('occurredAt', body.occurredAt);
    const callback = { ...body, mdn: toE164(body.mdn) };
    const ids = { payloadId: callback.callbackId, webhookId: delivery.webhookId };
    const result = await this.receipts.once(network, ids, () => this.apply(network, callback));
    return this.answer(network, result);
  }

  @Post('sms')
  @HttpCode(200)
  @MultilineFields('text')
  async sms(@Req() request: RawRequest) {
    const delivery = this.verifier.verify('sms', request.rawBody?.toString('utf8'), request.headers);
    const body = parsePayload(smsReplySchema, delivery.body);
    this.refuseFuture('receivedAt', body.receivedAt);
    const ids = { payloadId: body.messageId, webhookId: delivery.webhookId };
    const result = await this.receipts.once('sms', ids, () => this.replies.execute(body));
    return this.answer('sms', result);
  }

  private refuseFuture(field: string, at: Date): void {
    refuseFutureTime(field, at, this.clock.now(), this.config.http.maxFutureSkewMs);
  }

  private answer(source: Network | 'sms', result: 'duplicate' | Record<string, unknown>) {
    const status = result === 'duplicate' ? 'duplicate' : 'accepted';
    this.metrics.webhookDeliveries.inc({ source, result: status });
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
