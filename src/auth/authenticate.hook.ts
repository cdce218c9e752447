import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-error';
import { openRequestScope, setRequestScope } from '../database/data-scope';
import { policyOf } from '../http/route-policy';
import type { OrganizationDirectory } from '../organizations/organization-directory';
import { bearerToken } from './bearer';
import { ORGANIZATION_HEADER, scopeOf } from './request-scope';
import { hasRole } from './roles';
import type { Principal, TokenVerifier } from './token-verifier';

/** The caller, and the organisation it acts in (by slug, for the access log). */
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal; organization?: string };

/**
 * Authenticates in Fastify's first hook, after routing and before the body is read, so a
 * stranger's upload is refused unread. The matched route's policy decides; a route that
 * says nothing needs a member's bearer token. Unmatched URLs fall through to the 404.
 * ApiAuthGuard checks the same again from the handler's metadata.
 */
export function installAuthentication(
  fastify: FastifyInstance,
  tokens: TokenVerifier,
  directory: OrganizationDirectory,
  metricsToken: string | undefined,
): void {
  const metricsDigest = metricsToken ? digest(metricsToken) : undefined;
  // The handler runs inside this hook's store, which the next one fills with the scope.
  fastify.addHook('onRequest', (_request, _reply, done) => openRequestScope(done));
  fastify.addHook('onRequest', async (request: AuthenticatedRequest) => {
    if (request.is404) return;
    const policy = policyOf(request.routeOptions.config);
    const access = policy.access ?? 'bearer';
    // SCIM routes take a directory's token, not an admin one: the SCIM hook checks it next.
    if (access === 'public' || access === 'scim') return;
    const token = bearerToken(request.headers.authorization);
    if (access === 'metrics') {
      if (metricsDigest && !(token && timingSafeEqual(digest(token), metricsDigest))) {
        throw new UnauthorizedError('/metrics needs the metrics bearer token');
      }
      return;
    }
    if (!token) throw new UnauthorizedError('A bearer token is required');
    const principal = await tokens.verify(token);
    if (!principal) throw new UnauthorizedError('The bearer token is not valid');
    request.principal = principal;
    const required = policy.role ?? 'member';
    if (!hasRole(principal.role, required)) {
      throw new ForbiddenError(`This needs the ${required} role; the token has ${principal.role}`);
    }
    const { organizationSlug, ...scope } = await scopeOf(
      principal,
      request.headers[ORGANIZATION_HEADER],
      required,
      directory,
    );
    request.organization = organizationSlug;
    setRequestScope(scope);
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
