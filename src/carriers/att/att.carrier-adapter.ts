import type { CarrierAck, CarrierGateway, ProvisioningRequest } from '../carrier-gateway';
import type { ResilientHttp } from '../http/resilient-http';

export class AttCarrierAdapter implements CarrierGateway {
  readonly network = 'att';

  constructor(private readonly http: ResilientHttp) {}

  async requestProvisioning({ mdn, idempotencyKey }: ProvisioningRequest): Promise<CarrierAck> {
    const body = await this.http.request<{ transactionId: string }>({
      method: 'POST',
      url: '/v1/lines/provision',
      headers: { 'idempotency-key': idempotencyKey },
      data: { msisdn: mdn.replace(/^\+/, '') },
    });
    return { carrierReference: body.transactionId };
  }
}
