import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { jwtVerify, type JWTPayload } from 'jose';
import { InjectConfig } from '../config/config.module';
import { ROLES, type Role } from '../config/admin-tokens';
import type { AuthConfig } from '../config/config';
import { parseOrganizationRef, type OrganizationRef } from '../organizations/domain/slug';

/** Who called, as the token says. */
export interface Principal {
  subject: string;
  role: Role;
  /** The organisation the token belongs to; none for an operator. */
  organization?: OrganizationRef;
}

/**
 * Static tokens (development, tests) are compared in constant time: both sides are
 * hashed first so that neither their content nor their length leaks through timing.
 * JWTs (production) are HS256, verified with the configured key, issuer and audience.
 */
@Injectable()
export class TokenVerifier {
  private readonly staticTokens: { role: Role; organization?: OrganizationRef; digest: Buffer }[];
  private readonly jwtKey?: Uint8Array;

  constructor(@InjectConfig('auth') private readonly config: AuthConfig) {
    this.staticTokens = config.staticTokens.map(({ token, ...owner }) => ({
      ...owner,
      digest: digest(token),
    }));
    this.jwtKey = config.jwt ? new TextEncoder().encode(config.jwt.secret) : undefined;
  }

  async verify(token: string): Promise<Principal | undefined> {
    const presented = digest(token);
    let match: (typeof this.staticTokens)[number] | undefined;
    for (const candidate of this.staticTokens) {
      // No early exit: every configured token is compared.
      if (timingSafeEqual(candidate.digest, presented)) match ??= candidate;
    }
    if (match) return { subject: `static:${match.role}`, role: match.role, organization: match.organization };
    return this.verifyJwt(token);
  }

  private async verifyJwt(token: string): Promise<Principal | undefined> {
    const jwt = this.config.jwt;
    if (!jwt || !this.jwtKey || token.split('.').length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.jwtKey, {
        algorithms: ['HS256'],
        issuer: jwt.issuer,
        audience: jwt.audience,
        requiredClaims: ['exp'],
      });
      if (!withinLifetime(payload, jwt.maxLifetimeSeconds)) return undefined;
      const role = payload.role;
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return undefined;
      const subject = payload.sub ?? 'jwt';
      // Every token but an operator's says whose it is (`org`: the organisation's id or slug).
      if (role === 'operator') return payload.org === undefined ? { subject, role } : undefined;
      const organization = typeof payload.org === 'string' ? parseOrganizationRef(payload.org) : undefined;
      return organization ? { subject, role: role as Role, organization } : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * A stolen token is good until it expires, so tokens must expire soon: neither its
 * remaining time nor, when it says when it was issued, its whole lifetime may pass the
 * configured maximum.
 */
function withinLifetime(payload: JWTPayload, maxLifetimeSeconds: number): boolean {
  const now = Math.floor(Date.now() / 1000);
  const exp = payload.exp ?? 0;
  if (exp - now > maxLifetimeSeconds) return false;
  return payload.iat === undefined || exp - payload.iat <= maxLifetimeSeconds;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
