import { randomInt } from 'node:crypto';
import { Logger } from '@nestjs/common';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import CircuitBreaker from 'opossum';
import { CarrierRejectedError, CarrierUnavailableError } from '../../common/errors/domain-error';
import type { CarriersConfig } from '../../config/config';

export interface ResilientHttpOptions {
  name: string;
  baseURL: string;
  apiKey?: string;
  config: Pick<CarriersConfig, 'timeoutMs' | 'retries' | 'breaker'>;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

/**
 * HTTP to one remote party (a carrier, the SMS gateway): a timeout per attempt, retries
 * with exponential backoff and full jitter on transient failures only (no answer, 429,
 * 5xx; never other 4xx), all inside one circuit breaker. A 4xx is the caller's fault,
 * so it neither retries nor counts against the breaker.
 */
export class ResilientHttp {
  private readonly logger: Logger;
  private readonly http: AxiosInstance;
  private readonly breaker: CircuitBreaker<[AxiosRequestConfig], unknown>;

  constructor(private readonly options: ResilientHttpOptions) {
    this.logger = new Logger(`Carrier:${options.name}`);
    this.http = axios.create({
      baseURL: options.baseURL,
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    });
    const { breaker } = options.config;
    this.breaker = new CircuitBreaker((request: AxiosRequestConfig) => this.withRetries(request), {
      name: options.name,
      timeout: false,
      volumeThreshold: breaker.volumeThreshold,
      errorThresholdPercentage: breaker.errorThresholdPercentage,
      resetTimeout: breaker.resetTimeoutMs,
      errorFilter: (error: unknown) => error instanceof CarrierRejectedError,
    });
    this.breaker.on('open', () => this.logger.warn(`Circuit opened: calls to ${options.name} fail fast`));
    this.breaker.on('halfOpen', () => this.logger.log(`Circuit half-open: trying ${options.name} again`));
    this.breaker.on('close', () => this.logger.log(`Circuit closed: ${options.name} is answering`));
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  async request<T>(request: AxiosRequestConfig): Promise<T> {
    try {
      return (await this.breaker.fire(request)) as T;
    } catch (error) {
      if (error instanceof CarrierRejectedError || error instanceof CarrierUnavailableError) throw error;
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        throw new CarrierUnavailableError(`${this.options.name} is unavailable: its circuit breaker is open`);
      }
      throw error;
    }
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private async withRetries(request: AxiosRequestConfig): Promise<unknown> {
    const { retries, timeoutMs } = this.options.config;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.http.request({ ...request, signal: AbortSignal.timeout(timeoutMs) });
        return response.data;
      } catch (error) {
        const status = error instanceof AxiosError ? error.response?.status : undefined;
        if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
          throw new CarrierRejectedError(`${this.options.name} refused the request (${status})`, {
            status,
            body: (error as AxiosError).response?.data,
          });
        }
        if (attempt >= retries) {
          throw new CarrierUnavailableError(
            `${this.options.name} did not answer after ${attempt + 1} attempts: ${describe(error, status)}`,
          );
        }
        await sleep(backoff(attempt, error));
      }
    }
  }
}

/** Full jitter: a random wait up to the exponential step; a 429's Retry-After wins if sooner than the cap. */
function backoff(attempt: number, error: unknown): number {
  const retryAfter = Number((error as AxiosError).response?.headers?.['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, BACKOFF_CAP_MS);
  return randomInt(0, Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt) + 1);
}

function describe(error: unknown, status: number | undefined): string {
  if (status !== undefined) return `HTTP ${status}`;
  return (error as Error).name === 'CanceledError' ? 'timed out' : (error as Error).message;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
