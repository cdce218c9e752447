import type { DatabaseFault } from '../../database/database-fault';
import { DatabaseUnavailableError } from './domain-error';

/** Long enough for a failover or a restart to finish, short enough not to stall callers. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The answer to a request the database could not serve. It names the coarse reason
 * only: what the driver said (hosts, ports, SQL) stays in the log.
 */
export function databaseUnavailable(fault: DatabaseFault): DatabaseUnavailableError {
  return new DatabaseUnavailableError(`The database is unavailable; retry in ${RETRY_AFTER_SECONDS} s`, {
    reason: fault.reason,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}
