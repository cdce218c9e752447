import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import type { Network } from '../../lines/domain/networks';
import { ApplyCarrierCallback } from '../../provisioning-flow/usecases/apply-carrier-callback.usecase';
import { HandleOptInReply } from '../../provisioning-flow/usecases/handle-opt-in-reply.usecase';
import { HandlePortOut } from '../../provisioning-flow/usecases/handle-port-out.usecase';
import { HandleDeliveryReceipt } from '../../provisioning-flow/usecases/handle-delivery-receipt.usecase';
import { carrierCallbackSchema, parsePayload, smsDeliverySchema, smsReplySchema } from '../webhook-payloads';
import { RECEIPT_PREFIX, type DeliveryOutcome, type StoredDelivery } from './inbox-delivery';

/**
 * Applies one stored delivery through the use cases the request used to call itself.
 * A refusal that will never change (no such line, a payload that no longer reads) is an
 * outcome; anything else (the database) is thrown, and the delivery is tried again.
 */
@Injectable()
export class ApplyDelivery {
  constructor(
    private readonly callbacks: ApplyCarrierCallback,
    private readonly portOut: HandlePortOut,
    private readonly replies: HandleOptInReply,
    private readonly receipts: HandleDeliveryReceipt,
  ) {}

  async execute(delivery: StoredDelivery): Promise<DeliveryOutcome> {
    try {
      return await this.apply(delivery);
    } catch (error) {
      if (error instanceof NotFoundError) return 'not_found';
      if (error instanceof ValidationFailedError) return 'refused';
      throw error;
    }
  }

  private async apply({ source, payloadId, payload }: StoredDelivery): Promise<DeliveryOutcome> {
    if (source === 'sms' && payloadId.startsWith(RECEIPT_PREFIX)) {
      await this.receipts.execute(parsePayload(smsDeliverySchema, payload));
      return 'applied';
    }
    if (source === 'sms') {
      await this.replies.execute(parsePayload(smsReplySchema, payload));
      return 'applied';
    }
    const network: Network = source;
    const callback = parsePayload(carrierCallbackSchema, payload);
    switch (callback.type) {
      case 'provisioning.updated': {
        const outcome = await this.callbacks.provisioningUpdated({ network, ...callback });
        return outcome.applied ? 'applied' : 'not_applied';
      }
      case 'activity.seen':
        await this.callbacks.activitySeen(network, callback.mdn, callback.occurredAt);
        return 'applied';
      case 'number.ported_out':
        await this.portOut.execute(network, callback.mdn, callback.occurredAt);
        return 'applied';
    }
  }
}
