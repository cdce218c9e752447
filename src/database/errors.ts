import { Prisma } from '../generated/prisma/client';

/**
 * Whether a query failed on a unique constraint. Through a driver adapter, a model query
 * reports it as P2002 and a raw one as P2010 carrying the adapter's error, so both count.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2002') return true;
  const meta = (error.meta ?? {}) as {
    code?: string;
    driverAdapterError?: { cause?: { kind?: string; originalCode?: string } };
  };
  const cause = meta.driverAdapterError?.cause;
  return (
    meta.code === '23505' || cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505'
  );
}
