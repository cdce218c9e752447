import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../../auth/bearer';
import { setRequestScope } from '../../database/data-scope';
import { policyOf } from '../../http/route-policy';
import { scimErrorBody } from '../http/scim-error-body';
import { SCIM_MEDIA_TYPE } from '../domain/scim-schemas';
import { scimTokenDigest } from './scim-token';

/** A SCIM request, once its token is known: the organisation it acts for (its slug for the access log). */
export type ScimRequest = FastifyRequest & { scimOrganizationId?: string; organization?: string };

export type ScimTokenLookup = (tokenHash: string) => Promise<{ id: string; slug: string } | undefined>;

/**
 * Authenticates SCIM routes in Fastify's first hook (after the general one opened the
 * request's scope, before the body is read): the bearer token must be an organisation's
 * SCIM token, and the request then acts for that organisation only. Anything else is 401
 * in SCIM's error schema, sent from here because Nest's filters do not see hooks.
 */
export function installScimAuthentication(fastify: FastifyInstance, lookup: ScimTokenLookup): void {
  fastify.addHook('onRequest', async (request: ScimRequest, reply: FastifyReply) => {
    if (request.is404 || policyOf(request.routeOptions.config).access !== 'scim') return;
    const token = bearerToken(request.headers.authorization);
    const organization = token ? await lookup(scimTokenDigest(token)) : undefined;
    if (!organization) {
      const detail = token ? 'The SCIM token is not valid' : 'A SCIM bearer token is required';
      return reply
        .code(401)
        .header('content-type', SCIM_MEDIA_TYPE)
        .header('www-authenticate', 'Bearer realm="scim"')
        .send(scimErrorBody(401, detail));
    }
    request.scimOrganizationId = organization.id;
    request.organization = organization.slug;
    setRequestScope({ kind: 'organization', organizationId: organization.id });
  });
}
