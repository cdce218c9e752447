import { Injectable } from '@nestjs/common';
import { acrossOrganizations } from '../database/data-scope';
import type { OrganizationRef } from './domain/slug';
import { OrganizationsRepository, type Organization } from './persistence/organizations.repository';

/** Organisations are never renamed or removed, so what was found stays true; a bound keeps memory flat. */
const CACHE_LIMIT = 10_000;

/**
 * Finds the organisation a token, a claim or an operator's header names. Tokens are
 * checked on every request, so what was found is kept; a name that found nothing is
 * asked again next time (the organisation may have been created since).
 */
@Injectable()
export class OrganizationDirectory {
  private readonly found = new Map<string, Organization>();

  constructor(private readonly organizations: OrganizationsRepository) {}

  async find(ref: OrganizationRef): Promise<Organization | undefined> {
    const key = 'id' in ref ? `id:${ref.id}` : `slug:${ref.slug}`;
    const known = this.found.get(key);
    if (known) return known;
    // Before the caller's scope is known: naming an organisation is itself the question.
    const organization = await acrossOrganizations('resolving the organization a token names', () =>
      this.organizations.find(ref),
    );
    if (!organization) return undefined;
    if (this.found.size >= CACHE_LIMIT) this.found.clear();
    this.found.set(key, organization);
    return organization;
  }

  list(): Promise<Organization[]> {
    return this.organizations.list();
  }

  create(name: string, slug: string): Promise<Organization> {
    return this.organizations.create(name, slug);
  }
}
