import type { CarrierAck, CarrierGateway, ProvisioningRequest } from '../carrier-gateway';
import type { ResilientHttp } from '../http/resilient-http';

/** Verizon provisions only with the subscriber's SMS opt-in, which the request states. */
export class VerizonCarrierAdapter implements CarrierGateway {
  readonly network = 'verizon';

  constructor(private readonly http: ResilientHttp) {}

  async requestProvisioning({ mdn, idempotencyKey }: ProvisioningRequest): Promise<CarrierAck> {
    const body = await this.http.request<{ requestId: string }>({
      method: 'POST',
      url: '/v1/provisioning-requests',
      headers: { 'idempotency-key': idempotencyKey },
      data: { mdn, consent: { method: 'sms-opt-in' } },
    });
    return { carrierReference: body.requestId };
  }
}
