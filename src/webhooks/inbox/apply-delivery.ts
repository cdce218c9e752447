import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import type { Network } from '../../lines/domain/networks';
import {
  ApplyCarrierCallback,
  type CarrierWord,
} from '../../provisioning-flow/usecases/apply-carrier-callback.usecase';
import { storedTraceparent, runInStoredTrace } from '../../tracing/current-trace';
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

  /**
   * The carriers' status callbacks and sightings of a claimed batch, applied together
   * (ApplyCarrierCallback.applyMany). Returns the outcome of each delivery it took, by
   * payload id; the rest (the SMS gateway's, port-outs, anything the batch leaves) go
   * through `execute` one at a time.
   */
  async executeMany(deliveries: StoredDelivery[]): Promise<Map<string, DeliveryOutcome>> {
    const taken: { payloadId: string; word: CarrierWord }[] = [];
    for (const delivery of deliveries) {
      const word = carrierWord(delivery);
      if (word) taken.push({ payloadId: delivery.payloadId, word });
    }
    const outcomes = await this.callbacks.applyMany(taken.map(({ word }) => word));
    const done = new Map<string, DeliveryOutcome>();
    taken.forEach(({ payloadId }, index) => {
      const outcome = outcomes[index];
      if (outcome) done.set(payloadId, outcome);
    });
    return done;
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

/**
 * A carrier's status callback or sighting as a batch takes it, in its delivery's trace;
 * undefined for any other delivery, and for a payload that no longer reads (`execute`
 * refuses it).
 */
function carrierWord(delivery: StoredDelivery): CarrierWord | undefined {
  if (delivery.source === 'sms') return undefined;
  const parsed = carrierCallbackSchema.safeParse(delivery.payload);
  if (!parsed.success) return undefined;
  const callback = parsed.data;
  const traceParent = runInStoredTrace(delivery.traceParent, storedTraceparent);
  const network: Network = delivery.source;
  switch (callback.type) {
    case 'provisioning.updated':
      return { kind: 'status', network, traceParent, ...callback };
    case 'activity.seen':
      return { kind: 'seen', network, traceParent, mdn: callback.mdn, occurredAt: callback.occurredAt };
    default:
      return undefined;
  }
}
