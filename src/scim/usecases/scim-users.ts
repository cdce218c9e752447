import { Injectable } from '@nestjs/common';
import { scimPatch, type ScimResource } from 'scim-patch';
import { ReconcileSignal } from '../../common/reconcile-signal';
import { normalizeMdn } from '../../lines/domain/mdn';
import type { Network } from '../../lines/domain/networks';
import type { UserChanges, UserWithLines } from '../../lines/queries/lines.queries';
import { LinesQueries } from '../../lines/queries/lines.queries';
import type { UserMatch } from '../../lines/queries/user-match';
import { DeleteUser } from '../../lines/usecases/delete-user.usecase';
import { RegisterUser } from '../../lines/usecases/register-user.usecase';
import { StopUserLines } from '../../lines/usecases/stop-user-lines.usecase';
import { UpdateUser } from '../../lines/usecases/update-user.usecase';
import { RecordProvisioningIntent } from '../../provisioning-flow/usecases/record-provisioning-intent.usecase';
import { withPaths } from '../domain/patch-operations';
import { ScimError } from '../domain/scim-schemas';
import { fromScimUser, toScimUser, type ScimUserFields } from '../domain/scim-user';

/** The reasons the lines show, so the console says why capture stopped. */
export const SUSPENDED_REASON = 'Suspended by the directory (SCIM): capture stopped';
export const NUMBER_CHANGED_REASON = 'Number changed by the directory (SCIM): old number released';

/**
 * A directory's acts on users, in the lines module's use cases (never its repositories):
 * - create: a registration, provisioning its number when the user is active;
 * - `active: false`: suspended, every line Disabled with a reason, capture stops;
 * - `active: true` again: a new provisioning round on each of its networks;
 * - a new mobile number: the old lines released (Disabled), and the number lookup asked
 *   again in the same transaction (the new number may be on another carrier);
 * - a user pushed inactive and activated later has no line yet: the lookup is asked too;
 * - delete: as the API's delete. Every line move is recorded with source SCIM.
 */
@Injectable()
export class ScimUsers {
  constructor(
    private readonly register: RegisterUser,
    private readonly update: UpdateUser,
    private readonly remove: DeleteUser,
    private readonly stop: StopUserLines,
    private readonly provision: RecordProvisioningIntent,
    private readonly queries: LinesQueries,
    private readonly signal: ReconcileSignal,
  ) {}

  get(id: string): Promise<UserWithLines> {
    return this.queries.liveUser(id);
  }

  list(match: UserMatch | undefined, offset: number, limit: number) {
    return this.queries.findMatching(match, offset, limit);
  }

  async create(body: unknown): Promise<UserWithLines> {
    const { active, ...fields } = fromScimUser(body);
    const created = await this.register.execute({ ...fields, provision: active, source: 'SCIM' });
    if (active) return created;
    return this.stop.execute(created.id, {
      reason: SUSPENDED_REASON,
      source: 'SCIM',
      changes: { status: 'SUSPENDED' },
    });
  }

  /** PUT: the body is the whole resource (Okta sends it so). */
  async replace(id: string, body: unknown): Promise<UserWithLines> {
    return this.apply(await this.queries.liveUser(id), fromScimUser(body));
  }

  /**
   * PATCH: the operations applied (by scim-patch, which takes Entra ID's "Replace",
   * filtered paths and path-less value objects) to the resource as stored, then the result
   * read like a PUT.
   */
  async patch(id: string, body: unknown): Promise<UserWithLines> {
    const operations = withPaths((body as { Operations?: unknown } | null)?.Operations);
    const existing = await this.queries.liveUser(id);
    const resource = toScimUser(existing, '') as unknown as ScimResource;
    let patched: ScimResource;
    try {
      patched = scimPatch(resource, operations, { mutateDocument: false });
    } catch (error) {
      throw new ScimError(400, (error as Error).message, 'invalidValue');
    }
    return this.apply(existing, fromScimUser(patched));
  }

  async delete(id: string): Promise<void> {
    await this.queries.liveUser(id);
    await this.remove.execute(id, {}, 'SCIM');
  }

  private async apply(existing: UserWithLines, { active, mdn, ...fields }: ScimUserFields) {
    const changes: UserChanges = changed(existing, fields);
    const number = normalizeMdn(mdn);
    if (!number.ok)
      throw new ScimError(400, `The mobile number is not valid: ${number.reason}`, 'invalidValue');
    const newNumber = number.e164 !== existing.mdn;
    if (newNumber) changes.mdn = number.e164;
    const wasActive = existing.status === 'ACTIVE';
    if (!active) {
      if (!wasActive) return this.changeFields(existing, changes);
      return this.stop.execute(existing.id, {
        reason: SUSPENDED_REASON,
        source: 'SCIM',
        changes: { ...changes, status: 'SUSPENDED' },
      });
    }
    if (newNumber || (!wasActive && existing.lines.length === 0)) {
      // A new number may be on another carrier, and a user first pushed inactive has no
      // line yet: either way the number lookup is asked, queued with the change in one
      // transaction, and the reconciler provisions the network it finds.
      const resumed = await this.stop.execute(existing.id, {
        reason: NUMBER_CHANGED_REASON,
        source: 'SCIM',
        changes: { ...changes, status: 'ACTIVE' },
        lookUpAgain: true,
      });
      this.signal.raise();
      return resumed;
    }
    if (wasActive) return this.changeFields(existing, changes);
    await this.update.execute(existing.id, { ...changes, status: 'ACTIVE' }, 'SCIM');
    // Resumed: a new provisioning round on each network the user had.
    for (const line of existing.lines) await this.provision.execute(existing.id, line.network as Network);
    return this.queries.liveUser(existing.id);
  }

  private async changeFields(existing: UserWithLines, changes: UserChanges) {
    if (Object.keys(changes).length === 0) return existing;
    return this.update.execute(existing.id, changes, 'SCIM');
  }
}

/** The fields whose value the directory changed (an unchanged PUT writes nothing). */
function changed(existing: UserWithLines, fields: Omit<ScimUserFields, 'active' | 'mdn'>): UserChanges {
  const keys = Object.keys(fields) as (keyof typeof fields)[];
  return Object.fromEntries(
    keys
      .filter((key) => fields[key] !== undefined && existing[key] !== fields[key])
      .map((key) => [key, fields[key]]),
  );
}
