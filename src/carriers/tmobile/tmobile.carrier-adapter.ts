import type { CarrierAck, CarrierGateway, ProvisioningRequest } from '../carrier-gateway';
import type { ResilientHttp } from '../http/resilient-http';

export class TmobileCarrierAdapter implements CarrierGateway {
  readonly network = 'tmobile';

  constructor(private readonly http: ResilientHttp) {}

  async requestProvisioning({ mdn, idempotencyKey }: ProvisioningRequest): Promise<CarrierAck> {
    const body = await this.http.request<{ id: string }>({
      method: 'POST',
      url: `/v1/subscribers/${encodeURIComponent(mdn)}/provisioning`,
      headers: { 'idempotency-key': idempotencyKey },
      data: {},
    });
    return { carrierReference: body.id };
  }
}
