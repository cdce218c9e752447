import type { SimulatedCarrier } from '../../simulator/simulated-party';

/** T-Mobile as the simulator plays it (see the adapter): the number in the path, an id back. */
export const tmobileSimulator: SimulatedCarrier = {
  // /tmobile/v1/subscribers/<mdn>/provisioning
  mdnOf: (request) => decodeURIComponent(request.url.split('/')[4] ?? ''),
  ack: (reference) => ({ id: reference }),
};
