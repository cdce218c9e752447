import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '../auth/token-verifier';
import { isNetwork } from '../lines/domain/networks';
import type { TracedRequest } from './request-log-context';

interface AccessLine {
  reqId: string;
  /** The W3C trace the request belonged to: its caller's, or one begun here. */
  traceId?: string;
  /** This service's span in that trace: the parent of the calls the request made. */
  spanId?: string;
  method: string;
  /** The route template (`/v1/users/:id`), never the URL: paths and queries can hold MDNs. */
  route: string;
  statusCode: number;
  durationMs: number;
  subject?: string;
  role?: string;
  /** The organisation the request acted in (its slug): an operator's acts are logged with it. */
  organization?: string;
  /** Who a signed webhook claims to come from; the status says whether the signature held. */
  webhookSource?: string;
}

/** Probes and scrapes arrive every few seconds and would drown the access log. */
function isProbeOrScrape(route: string): boolean {
  return route === '/metrics' || route.startsWith('/health/');
}

/**
 * One line per request, written once the response is sent: a Fastify hook rather than a
 * Nest interceptor, so it also sees what Fastify or an onRequest hook refused before Nest
 * ran (404, 413, malformed JSON, a missing token).
 */
export function writeAccessLog(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const line = accessLine(request, reply);
    if (!isProbeOrScrape(line.route)) logger.info(line, 'request completed');
  });
}

function accessLine(request: FastifyRequest, reply: FastifyReply): AccessLine {
  const route = request.routeOptions.url ?? 'unmatched';
  // Authentication puts the caller on the request; read it only now, once it has run.
  const principal = (request as { principal?: Principal }).principal;
  return {
    reqId: request.id,
    traceId: (request as TracedRequest).trace?.traceId,
    spanId: (request as TracedRequest).trace?.spanId,
    method: request.method,
    route,
    statusCode: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    subject: principal?.subject,
    role: principal?.role,
    organization: (request as { organization?: string }).organization,
    webhookSource: webhookSource(route, request.params),
  };
}

/** Webhooks are signed per source, and the source is part of the route. */
function webhookSource(route: string, params: unknown): string | undefined {
  if (route === '/v1/webhooks/sms') return 'sms';
  if (route !== '/v1/webhooks/carriers/:network') return undefined;
  const network = (params as { network?: unknown } | undefined)?.network;
  // The raw segment is the caller's text: only a known network name is worth a field.
  return typeof network === 'string' && isNetwork(network) ? network : 'unknown';
}
