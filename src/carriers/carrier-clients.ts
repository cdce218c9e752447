import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectConfig } from '../config/config.module';
import type { CarriersConfig } from '../config/config';
import { ReadinessChecks } from '../health/readiness-checks';
import { BREAKER_STATES, Metrics } from '../metrics/metrics.service';
import { NETWORK_KEYS, type Network } from '../lines/domain/networks';
import type { CarrierGateway } from './carrier-gateway';
import { CARRIERS } from './carrier-registry';
import { NumberLookupClient } from './number-lookup/number-lookup.client';
import { ResilientHttp } from './http/resilient-http';
import { SmsGatewayClient } from './sms-gateway/sms-gateway.client';

/** Every outbound party (each network's adapter, from CARRIERS; SMS; lookup) with its own breaker, and their state for readiness. */
@Injectable()
export class CarrierClients implements OnModuleInit, OnApplicationShutdown {
  readonly gateways: ReadonlyMap<Network, CarrierGateway>;
  readonly sms: SmsGatewayClient;
  readonly lookup: NumberLookupClient;
  private readonly parties = new Map<string, ResilientHttp>();

  constructor(
    @InjectConfig('carriers') private readonly config: CarriersConfig,
    private readonly readiness: ReadinessChecks,
    private readonly health: HealthIndicatorService,
    private readonly metrics: Metrics,
  ) {
    this.gateways = new Map(
      NETWORK_KEYS.map((network) => [
        network,
        new CARRIERS[network].adapter(this.party(network, config.urls[network])),
      ]),
    );
    this.sms = new SmsGatewayClient(this.party('sms-gateway', config.smsGatewayUrl));
    this.lookup = new NumberLookupClient(this.party('number-lookup', config.numberLookupUrl));
  }

  gateway(network: Network): CarrierGateway {
    return this.gateways.get(network)!;
  }

  onModuleInit(): void {
    this.metrics.onScrape(() => {
      for (const [name, party] of this.parties) {
        const current = party.state.replace('-', '_');
        for (const state of BREAKER_STATES)
          this.metrics.carrierBreakerState.set({ party: name, state }, state === current ? 1 : 0);
      }
    });
    // An open breaker degrades the service but does not take it out of the load balancer:
    // everything else (and the other carriers) still works.
    this.readiness.register(() => {
      const states = Object.fromEntries([...this.parties].map(([name, party]) => [name, party.state]));
      const open = Object.entries(states).filter(([, state]) => state === 'open');
      const indicator = this.health.check('carriers');
      return open.length > 0
        ? indicator.degraded({ breakers: states, open: open.map(([name]) => name) })
        : indicator.up({ breakers: states });
    });
  }

  onApplicationShutdown(): void {
    for (const party of this.parties.values()) party.shutdown();
  }

  private party(name: string, baseURL: string | undefined): ResilientHttp {
    const party = new ResilientHttp({
      name,
      // Unset only when the config check allowed it (simulator); calls then fail clearly.
      baseURL: baseURL ?? 'http://carrier-not-configured.invalid',
      apiKey: this.config.apiKey,
      config: this.config,
      observer: {
        ended: (outcome, seconds) =>
          this.metrics.carrierCallDuration.observe({ party: name, outcome }, seconds),
        retried: () => this.metrics.carrierCallRetries.inc({ party: name }),
      },
    });
    this.metrics.carrierCallRetries.inc({ party: name }, 0);
    this.parties.set(name, party);
    return party;
  }
}
