import { Prisma } from '../../generated/prisma/client';

/**
 * The column a unique-constraint violation was about, or undefined if the error is not
 * one. Through a driver adapter Prisma reports the constraint in `driverAdapterError`
 * rather than in `target`, so both places are read.
 */
export function uniqueViolationField(error: unknown): string | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return undefined;
  const meta = (error.meta ?? {}) as {
    target?: string | string[];
    driverAdapterError?: { cause?: { constraint?: { fields?: string[]; index?: string } } };
  };
  const constraint = meta.driverAdapterError?.cause?.constraint;
  const field =
    constraint?.fields?.[0] ??
    (Array.isArray(meta.target) ? meta.target[0] : meta.target) ??
    constraint?.index;
  return field?.replace(/^"|"$/g, '');
}
