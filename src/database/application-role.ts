/**
 * The role the service's queries run as. Row-level security does not hold for a superuser
 * or a role with BYPASSRLS, and a test or a small deployment often connects as one; so
 * every connection switches to this role (SET ROLE), which has no such power and owns
 * no table. Migrations still run as the connecting user, who owns the tables.
 */
export const APPLICATION_ROLE = 'mdn_app';

/**
 * The role of work that acts across organisations on purpose (jobs, callbacks): its own
 * row-level security policy shows it every row. Not a superuser, no BYPASSRLS either.
 */
export const SYSTEM_ROLE = 'mdn_system';
const ROLES = [APPLICATION_ROLE, SYSTEM_ROLE];

/** Tables the service may read and append to, never change: the grant above is taken back. */
export const APPEND_ONLY_TABLES = ['consent_entries'];

type Query = (sql: string) => Promise<{ rows: unknown[] }>;

export interface RoleLogger {
  warn(message: string): void;
}

/**
 * Makes the role if it is missing and grants it what the service does: read and write
 * the tables. Run as the tables' owner after migrations, on
 * every start (each statement is idempotent). A deployment whose connecting user may not
 * create roles or grant has a database administrator do the same once; the service then
 * only checks, at start, that it cannot bypass row-level security.
 */
export async function prepareApplicationRole(query: Query, log: RoleLogger): Promise<void> {
  for (const role of ROLES) {
    const { rows } = await query(`SELECT 1 FROM pg_roles WHERE rolname = '${role}'`);
    if (rows.length > 0) continue;
    await query(`CREATE ROLE ${role} NOLOGIN NOSUPERUSER NOBYPASSRLS`).catch((error: unknown) => {
      // Another process (a replica, a parallel test) made it first: roles are cluster-wide.
      if (!isDuplicate(error)) throw error;
    });
  }
  const grants = ROLES.flatMap((role) => [
    `GRANT ${role} TO CURRENT_USER`,
    `GRANT USAGE ON SCHEMA public TO ${role}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
    // The consent ledger is append-only (the consent_ledger migration): read and insert only.
    ...APPEND_ONLY_TABLES.map((table) => `REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM ${role}`),
  ]);
  for (const grant of grants) {
    await query(grant).catch((error: unknown) => {
      if (!isDuplicate(error)) log.warn(`Could not run "${grant}": ${describe(error)}`);
    });
  }
}

/** The statement every connection runs first. */
export const ACT_AS_APPLICATION = `SET ROLE ${APPLICATION_ROLE}`;

/**
 * The same, for the pool of work that acts across organisations on purpose (jobs,
 * callbacks): its sessions say so once, for good (see data-scope.ts).
 */
export const ACT_ACROSS_ORGANIZATIONS = `SET ROLE ${SYSTEM_ROLE}`;

/** What start-up checks through the service's own connection: row-level security holds for it. */
export const BYPASSES_RLS = `SELECT (rolsuper OR rolbypassrls) AS bypasses FROM pg_roles WHERE rolname = current_user`;

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  // duplicate_object, unique_violation (two sessions creating the role at once), or
  // "role is already a member" (a notice on some versions, an error on others).
  return code === '42710' || code === '23505' || /already a member/.test(describe(error));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
