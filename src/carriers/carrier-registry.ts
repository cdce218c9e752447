import type { Network } from '../lines/domain/networks';
import type { SimulatedCarrier } from '../simulator/simulated-party';
import { AttCarrierAdapter } from './att/att.carrier-adapter';
import { attSimulator } from './att/att.simulator';
import type { CarrierGateway } from './carrier-gateway';
import type { ResilientHttp } from './http/resilient-http';
import { TmobileCarrierAdapter } from './tmobile/tmobile.carrier-adapter';
import { tmobileSimulator } from './tmobile/tmobile.simulator';
import { VerizonCarrierAdapter } from './verizon/verizon.carrier-adapter';
import { verizonSimulator } from './verizon/verizon.simulator';

export interface CarrierParts {
  adapter: new (http: ResilientHttp) => CarrierGateway;
  /** How the carrier simulator plays this network. */
  simulator: SimulatedCarrier;
}

/**
 * Every network's parts, keyed by the network list (NETWORKS in lines/domain/networks.ts).
 * Adding a network is an entry in that list, its folder here (adapter and simulator part)
 * and its line below, which the type demands; its variables, clients and simulator routes
 * follow from the list.
 */
export const CARRIERS: { readonly [network in Network]: CarrierParts } = {
  verizon: { adapter: VerizonCarrierAdapter, simulator: verizonSimulator },
  att: { adapter: AttCarrierAdapter, simulator: attSimulator },
  tmobile: { adapter: TmobileCarrierAdapter, simulator: tmobileSimulator },
};
