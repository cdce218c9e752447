import { Injectable } from '@nestjs/common';
import { ConflictError } from '../../common/errors/domain-error';
import { DatabaseService } from '../../database/database.service';
import { Prisma } from '../../generated/prisma/client';
import type { OrganizationRef } from '../domain/slug';

export interface Organization {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
}

/** Organisations themselves. Row-level security shows a principal its own only. */
@Injectable()
export class OrganizationsRepository {
  constructor(private readonly database: DatabaseService) {}

  find(ref: OrganizationRef): Promise<Organization | null> {
    return this.database.run((db) => db.organization.findUnique({ where: ref }));
  }

  list(): Promise<Organization[]> {
    return this.database.run((db) => db.organization.findMany({ orderBy: { slug: 'asc' } }));
  }

  async create(name: string, slug: string): Promise<Organization> {
    try {
      return await this.database.run((db) => db.organization.create({ data: { name, slug } }));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictError('An organization with this slug already exists', [
          { field: 'slug', reason: 'already taken' },
        ]);
      }
      throw error;
    }
  }
}
