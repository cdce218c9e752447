import { Prisma } from '../../generated/prisma/client';

/**
 * What a unique-constraint violation names: the index (PostgreSQL says it) and the
 * columns (PGlite's adapter gives only these, an expression such as `lower(username`
 * included), or undefined if the error is not one. Through a driver adapter Prisma
 * reports the constraint in `driverAdapterError` rather than in `target`, so both places
 * are read.
 */
export function uniqueViolationNames(error: unknown): string[] | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return undefined;
  const meta = (error.meta ?? {}) as {
    target?: string | string[];
    driverAdapterError?: { cause?: { constraint?: { fields?: string[]; index?: string } } };
  };
  const constraint = meta.driverAdapterError?.cause?.constraint;
  const target = Array.isArray(meta.target) ? meta.target : meta.target ? [meta.target] : [];
  const names = [constraint?.index, ...(constraint?.fields ?? []), ...target];
  return names.filter((name): name is string => !!name).map((name) => name.replace(/^"|"$/g, ''));
}
