import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NETWORK_KEYS, type Network } from '../../lines/domain/networks';
import type { SimulatorHost } from '../../simulator/simulated-party';

/** The number lookup as the simulator plays it: scripted answers, else one from the digits. */
export class SimulatedNumberLookup {
  private readonly lookups = new Map<string, Network | null>();

  constructor(private readonly host: SimulatorHost) {}

  routes(server: FastifyInstance): void {
    server.get('/lookup/v1/numbers/:mdn', (request, reply) => this.lookup(request, reply));
  }

  /** Which network the lookup names for this MDN (default: one derived from its digits). */
  set(mdn: string, network: Network | null): void {
    this.lookups.set(mdn, network);
  }

  private async lookup(request: FastifyRequest, reply: FastifyReply) {
    if (!(await this.host.guard('lookup', request, reply))) return;
    this.host.record('lookup', request, 200);
    const mdn = (request.params as { mdn: string }).mdn;
    const network = this.lookups.has(mdn)
      ? this.lookups.get(mdn)
      : NETWORK_KEYS[Number(mdn.at(-1) ?? 0) % NETWORK_KEYS.length];
    return reply.send({ network });
  }
}
