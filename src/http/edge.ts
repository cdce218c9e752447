import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { UnsupportedMediaTypeError, ValidationFailedError } from '../common/errors/domain-error';
import { inputProblem } from './input-hygiene';
import { JSON_BODY, policyOf } from './route-policy';

/**
 * The checks every request meets before a handler, in Fastify's hooks so they hold for
 * every route (Nest's and the OpenAPI page's alike):
 * - onRoute: a route's own body limit from its policy;
 * - preParsing: the body's media type must be one the route reads (else 415, unread);
 * - preValidation: no control characters and no absurd nesting in body, query or path.
 * Authentication runs before all of these, in onRequest (see auth/).
 */
export function installEdgeChecks(fastify: FastifyInstance): {
  publicRoutes: (register: () => void) => void;
} {
  let registeringPublic = false;
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const policy = policyOf(route.config);
    if (policy.bodyLimit) route.bodyLimit = policy.bodyLimit;
    if (registeringPublic) route.config = { ...route.config, policy: { ...policy, access: 'public' } };
  });
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (!hasBody(request)) return payload;
    const accepted = policyOf(request.routeOptions.config).bodyTypes ?? JSON_BODY;
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!accepted.includes(type)) {
      throw new UnsupportedMediaTypeError(
        `This route reads ${accepted.join(' or ')}; got ${type || 'no content type'}`,
        {
          accepted,
        },
      );
    }
    return payload;
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const multiline = policyOf(request.routeOptions.config).multilineFields;
    const problem =
      inputProblem(request.params, 'path') ??
      inputProblem(request.query, 'query') ??
      (Buffer.isBuffer(request.body) ? undefined : inputProblem(request.body, '', multiline));
    done(problem ? new ValidationFailedError([{ ...problem, field: problem.field || 'body' }]) : undefined);
  });
  return {
    /** Routes registered inside `register` (the OpenAPI page) need no token. */
    publicRoutes: (register) => {
      registeringPublic = true;
      try {
        register();
      } finally {
        registeringPublic = false;
      }
    },
  };
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
