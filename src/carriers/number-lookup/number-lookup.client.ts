import { isNetwork, type Network } from '../../lines/domain/networks';
import type { ResilientHttp } from '../http/resilient-http';

/** Which network an MDN is on today (number portability lookup). */
export class NumberLookupClient {
  constructor(private readonly http: ResilientHttp) {}

  async networkOf(mdn: string): Promise<Network | undefined> {
    const body = await this.http.request<{ network?: string | null }>({
      method: 'GET',
      url: `/v1/numbers/${encodeURIComponent(mdn)}`,
    });
    return body.network && isNetwork(body.network) ? body.network : undefined;
  }
}
