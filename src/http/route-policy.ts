import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import type { Role } from '../config/admin-tokens';

/**
 * What the edge checks before a handler runs, read from the matched route (never from
 * the URL text): who may call it, and which bodies it reads.
 */
export interface RoutePolicy {
  /**
   * `bearer` unless a route says otherwise: deny by default. `scim`: a directory's SCIM
   * token, checked by the SCIM module's own hook (src/scim/auth), never an admin token.
   */
  access?: 'bearer' | 'public' | 'metrics' | 'scim';
  /** The least role a bearer route needs; `member` unless it says otherwise. */
  role?: Role;
  /** Media types the route reads; JSON unless it says otherwise. */
  bodyTypes?: readonly string[];
  /** Bytes; the service-wide limit (64 KiB) unless the route says otherwise. */
  bodyLimit?: number;
  /** Body fields that may hold line breaks (free text such as an SMS reply). */
  multilineFields?: readonly string[];
}

export const JSON_BODY = ['application/json'] as const;

/** The policy a route was registered with (Fastify keeps it as the route's config). */
export function policyOf(config: unknown): RoutePolicy {
  return (config as { policy?: RoutePolicy } | undefined)?.policy ?? {};
}

/**
 * Adds to the Fastify route config of a handler, or of every handler of a controller,
 * which Nest passes to Fastify when it registers the route. `also` runs on each handler
 * function, for metadata a Nest guard reads.
 */
export function withRoutePolicy(
  policy: RoutePolicy,
  also?: (handler: object) => void,
): ClassDecorator & MethodDecorator {
  const mark = (handler: object) => {
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as Record<
      string,
      unknown
    >;
    const merged = { ...config, policy: { ...policyOf(config), ...policy } };
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, merged, handler);
    also?.(handler);
  };
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      mark(descriptor.value as object);
      return;
    }
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name !== 'constructor' && typeof prototype[name] === 'function') mark(prototype[name]);
    }
  };
}

/** Body fields that may hold line breaks, such as a subscriber's SMS reply. */
export const MultilineFields = (...multilineFields: string[]) => withRoutePolicy({ multilineFields });

/** A route that reads a body other than JSON, with its own size limit. */
export const AcceptsBody = (bodyTypes: readonly string[], bodyLimit: number) =>
  withRoutePolicy({ bodyTypes, bodyLimit });
