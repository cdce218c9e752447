import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whom the code now running acts for, and so which rows it may see:
 * - one organisation: every request of an organisation's principal (or of an operator
 *   that named one);
 * - all of them, on a path that says why: background jobs (the reconciler, the sweep, the
 *   relay, clean-ups) and carrier callbacks, which find a line by its number.
 *
 * DatabaseService.run() reads it: a transaction for one organisation sets
 * `app.organization_id`, which the application role's row-level security policies
 * compare with; work across organisations runs as the system role, whose policy shows
 * every row. Code that runs with no scope at all reaches no organisation's rows:
 * DatabaseService refuses it.
 */
export type DataScope =
  { kind: 'organization'; organizationId: string } | { kind: 'all-organizations'; why: string };

/** A request's scope is known only once its principal is: the holder is filled in then. */
interface ScopeHolder {
  scope?: DataScope;
}

const storage = new AsyncLocalStorage<ScopeHolder>();

export function currentScope(): DataScope | undefined {
  return storage.getStore()?.scope;
}

/** The organisation the running code acts for; undefined when it acts across all of them. */
export function currentOrganizationId(): string | undefined {
  const scope = currentScope();
  return scope?.kind === 'organization' ? scope.organizationId : undefined;
}

export function actingForOrganization<T>(organizationId: string, work: () => T): T {
  return storage.run({ scope: { kind: 'organization', organizationId } }, work);
}

/**
 * Work that reaches every organisation's rows on purpose. `why` names the path, so a
 * reader (and a grep) finds each one: 'reconciler', 'carrier callback', ...
 */
export function acrossOrganizations<T>(why: string, work: () => T): T {
  return storage.run({ scope: { kind: 'all-organizations', why } }, work);
}

/**
 * Opens an empty holder for a request (in its first hook, so the handler runs inside it);
 * authentication fills it in with `setRequestScope` once it knows the principal.
 */
export function openRequestScope(done: () => void): void {
  storage.run({}, done);
}

export function setRequestScope(scope: DataScope): void {
  const holder = storage.getStore();
  if (!holder) throw new Error('setRequestScope outside a request (openRequestScope was not run)');
  holder.scope = scope;
}

/**
 * The organisation the running code acts for, where acting for one is the only sense
 * (registering a user, listing an organisation's users). Across organisations it throws:
 * a programming error, not a caller's.
 */
export function requireOrganizationId(): string {
  const organizationId = currentOrganizationId();
  if (!organizationId) throw new Error('This acts for one organisation, and none is in scope');
  return organizationId;
}

/** An application filter matching the scope: one organisation's rows, or every row. */
export function organizationFilter(): { organizationId?: string } {
  const organizationId = currentOrganizationId();
  return organizationId ? { organizationId } : {};
}
