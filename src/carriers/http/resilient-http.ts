import { randomInt } from 'node:crypto';
import { Logger } from '@nestjs/common';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import CircuitBreaker from 'opossum';
import { CarrierRejectedError, CarrierUnavailableError } from '../../common/errors/domain-error';
import type { CarriersConfig } from '../../config/config';
import type { CallOutcome } from '../../metrics/metrics.service';
import { outboundTraceHeaders } from '../../tracing/current-trace';

export interface ResilientHttpOptions {
  name: string;
  baseURL: string;
  apiKey?: string;
  config: Pick<CarriersConfig, 'timeoutMs' | 'retries' | 'breaker'>;
  /** Told how each call ended and of each retry (the metrics). */
  observer?: CallObserver;
}

export interface CallObserver {
  /** A call ended, all its attempts included, after `seconds`. */
  ended(outcome: CallOutcome, seconds: number): void;
  /** An attempt failed for now and is made again. */
  retried(): void;
}

/** What one call's attempts found out, for its outcome. */
interface CallRecord {
  timedOut: boolean;
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
  private readonly breaker: CircuitBreaker<[AxiosRequestConfig, CallRecord], unknown>;

  constructor(private readonly options: ResilientHttpOptions) {
    this.logger = new Logger(`Carrier:${options.name}`);
    this.http = axios.create({
      baseURL: options.baseURL,
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    });
    const { breaker } = options.config;
    this.breaker = new CircuitBreaker(
      (request: AxiosRequestConfig, call: CallRecord) => this.withRetries(request, call),
      {
        name: options.name,
        timeout: false,
        volumeThreshold: breaker.volumeThreshold,
        errorThresholdPercentage: breaker.errorThresholdPercentage,
        resetTimeout: breaker.resetTimeoutMs,
        errorFilter: (error: unknown) => error instanceof CarrierRejectedError,
      },
    );
    this.breaker.on('open', () => this.logger.warn(`Circuit opened: calls to ${options.name} fail fast`));
    this.breaker.on('halfOpen', () => this.logger.log(`Circuit half-open: trying ${options.name} again`));
    this.breaker.on('close', () => this.logger.log(`Circuit closed: ${options.name} is answering`));
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  async request<T>(request: AxiosRequestConfig): Promise<T> {
    const started = performance.now();
    const call: CallRecord = { timedOut: false };
    try {
      const body = (await this.breaker.fire(request, call)) as T;
      this.ended('ok', started);
      return body;
    } catch (error) {
      this.ended(outcomeOf(error, call), started);
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

  private ended(outcome: CallOutcome, started: number): void {
    this.options.observer?.ended(outcome, (performance.now() - started) / 1000);
  }

  private async withRetries(request: AxiosRequestConfig, call: CallRecord): Promise<unknown> {
    const { retries, timeoutMs } = this.options.config;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.http.request({
          ...request,
          // Each attempt is a span of its own in the caller's trace.
          headers: { ...request.headers, ...outboundTraceHeaders() },
          signal: AbortSignal.timeout(timeoutMs),
        });
        return response.data;
      } catch (error) {
        call.timedOut = isTimeout(error);
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
        this.options.observer?.retried();
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
  return isTimeout(error) ? 'timed out' : (error as Error).message;
}

/** The attempt's own timeout aborted it (AbortSignal.timeout, seen by axios as a cancel). */
function isTimeout(error: unknown): boolean {
  return (error as Error).name === 'CanceledError';
}

function outcomeOf(error: unknown, call: CallRecord): CallOutcome {
  if (error instanceof CarrierRejectedError) return 'refused';
  if ((error as { code?: string }).code === 'EOPENBREAKER') return 'breaker_open';
  return call.timedOut ? 'timeout' : 'error';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
