import type { SimulatedCarrier } from '../../simulator/simulated-party';

/** AT&T as the simulator plays it (see the adapter): an msisdn without "+", a transactionId back. */
export const attSimulator: SimulatedCarrier = {
  mdnOf: (request) => `+${((request.body ?? {}) as { msisdn?: string }).msisdn ?? ''}`,
  ack: (reference) => ({ transactionId: reference }),
};
