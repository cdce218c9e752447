import { createRequire } from 'node:module';
import { Debug as ClientDebug } from '@prisma/client/runtime/client';
import { Debug as AdapterDebug } from '@prisma/driver-adapter-utils';

/** How many calls each of Prisma's debug loggers remembers (`MAX_ARGS_HISTORY`). */
const HISTORY = 100;

/** The embedded adapter brings its own copy of the debug logger, with its own history. */
const EmbeddedAdapterDebug = (
  createRequire(require.resolve('pglite-prisma-adapter'))('@prisma/driver-adapter-utils') as {
    Debug: typeof AdapterDebug;
  }
).Debug;

const fillers = [ClientDebug, AdapterDebug, EmbeddedAdapterDebug].map((debug) => debug('mdn:forget'));

/**
 * Lets go of the statements Prisma's debug loggers remember. Each logger keeps the
 * arguments of its last 100 calls, logging on or off, for its error reports: the client
 * keeps each statement's plan with its parameters, the driver adapter each statement.
 * After bulk statements (the outbox writer's thousands of events, a task file's 1 MB chunk)
 * that is megabytes held for nothing: a 100,000-row import kept four batches alive.
 * The client's logger has no way to clear its history, so each is filled with empty calls
 * (which a DEBUG of `mdn:*` or `*` would print).
 */
export function forgetPrismaDebugHistory(): void {
  for (const filler of fillers) for (let call = 0; call < HISTORY; call += 1) filler('');
}
