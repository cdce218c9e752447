import type { SimulatedCarrier } from '../../simulator/simulated-party';

/** Verizon as the simulator plays it (see the adapter): the number in `mdn`, a requestId back. */
export const verizonSimulator: SimulatedCarrier = {
  mdnOf: (request) => ((request.body ?? {}) as { mdn?: string }).mdn ?? '',
  ack: (reference) => ({ requestId: reference }),
};
