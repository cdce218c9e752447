import type { Network } from '../lines/domain/networks';

export interface ProvisioningRequest {
  mdn: string;
  /** Sent as the Idempotency-Key: a retried request cannot provision twice. */
  idempotencyKey: string;
}

export interface CarrierAck {
  carrierReference: string;
}

/** One network's provisioning API. Its answer comes later, as a signed callback. */
export interface CarrierGateway {
  readonly network: Network;
  requestProvisioning(request: ProvisioningRequest): Promise<CarrierAck>;
}

export const CARRIER_GATEWAYS = Symbol('CARRIER_GATEWAYS');
export type CarrierGateways = ReadonlyMap<Network, CarrierGateway>;
