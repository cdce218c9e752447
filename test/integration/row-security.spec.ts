import { randomUUID } from 'node:crypto';
import { acrossOrganizations, actingForOrganization } from '../../src/database/data-scope';
import { openDatabase, type Database } from '../../src/database/database';
import { DatabaseService } from '../../src/database/database.service';
import { DATABASE_KINDS, type TestDatabase } from '../support/databases';
import { aUser } from '../support/factories';

const quiet = { info: () => undefined, error: () => undefined };
const TABLES = [
  'users',
  'network_lines',
  'status_history',
  'outbox_events',
  'idempotency_keys',
  'organizations',
];

/**
 * The second wall on its own: with the application's filters taken away, PostgreSQL's
 * row-level security still shows a transaction its own organisation's rows only, and
 * nothing at all to one that says whom it acts for. On the server and on the embedded
 * database alike, through the service's own connection (its role, not the tables' owner).
 */
describe.each(DATABASE_KINDS)('row-level security on %s', (_kind, createDatabase) => {
  let target: TestDatabase;
  let database: Database;
  let service: DatabaseService;
  const orgs = { a: randomUUID(), b: randomUUID() };

  beforeAll(async () => {
    target = await createDatabase();
    database = await openDatabase(target.config, quiet);
    service = new DatabaseService(database);
    await acrossOrganizations('test set-up', () =>
      service.transaction(async (db) => {
        for (const [slug, id] of Object.entries(orgs)) {
          await db.organization.create({ data: { id, slug: `rls-${slug}`, name: slug } });
          const user = aUser();
          await db.user.create({
            data: {
              ...user,
              organizationId: id,
              lines: { create: [{ network: 'att' }] },
            },
          });
          await db.outboxEvent.create({
            data: {
              eventId: randomUUID(),
              eventType: 'test',
              key: id,
              organizationId: id,
              payload: Buffer.from(''),
            },
          });
          await db.idempotencyKey.create({
            data: { organizationId: id, principal: 'p', key: 'k', fingerprint: 'f', createdAt: new Date() },
          });
        }
      }),
    );
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  /** Rows per table as a raw SELECT sees them, in a transaction that set `settings` first. */
  const countsWith = (settings: Record<string, string>) =>
    database.prisma.$transaction(async (tx) => {
      for (const [name, value] of Object.entries(settings)) {
        await tx.$queryRaw`SELECT set_config(${name}, ${value}, true)`;
      }
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const [row] = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`);
        counts[table] = row.n;
      }
      return counts;
    });

  it('acts as a role that row-level security holds, not as the tables’ owner or a superuser', async () => {
    const [role] = await database.prisma.$queryRaw<{ name: string; bypasses: boolean }[]>`
      SELECT current_user AS name, (rolsuper OR rolbypassrls) AS bypasses FROM pg_roles WHERE rolname = current_user`;
    expect(role).toEqual({ name: 'mdn_app', bypasses: false });
  });

  it('a raw SELECT that says nothing of whom it acts for sees no row of any organisation', async () => {
    const counts = await countsWith({});
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it("a raw SELECT with another tenant's setting sees that tenant's rows only", async () => {
    const asB = await countsWith({ 'app.organization_id': orgs.b });
    expect(asB).toEqual({
      users: 1,
      network_lines: 1,
      status_history: 0,
      outbox_events: 1,
      idempotency_keys: 1,
      organizations: 1,
    });
    const ids = await database.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT set_config('app.organization_id', ${orgs.b}, true)`;
      return tx.$queryRaw<{ organization_id: string }[]>`SELECT organization_id::text FROM users`;
    });
    expect(ids).toEqual([{ organization_id: orgs.b }]);
  });

  it('a repository-style query with its filter removed, acting for A, returns A’s rows only', async () => {
    const users = await actingForOrganization(orgs.a, () => service.run((db) => db.user.findMany()));
    expect(users.map((user) => user.organizationId)).toEqual([orgs.a]);
    const events = await actingForOrganization(orgs.a, () => service.run((db) => db.outboxEvent.findMany()));
    expect(events.map((event) => event.organizationId)).toEqual([orgs.a]);
  });

  it('acting for A, a row written for B is refused, and B’s rows cannot be changed or deleted', async () => {
    const write = actingForOrganization(orgs.a, () =>
      service.run((db) =>
        db.outboxEvent.create({
          data: {
            eventId: randomUUID(),
            eventType: 'x',
            key: 'k',
            organizationId: orgs.b,
            payload: Buffer.from(''),
          },
        }),
      ),
    );
    await expect(write).rejects.toThrow(/row-level security|violates/i);
    const changed = await actingForOrganization(orgs.a, () =>
      service.run((db) =>
        db.user.updateMany({ where: { organizationId: orgs.b }, data: { firstName: 'X' } }),
      ),
    );
    expect(changed.count).toBe(0);
    const deleted = await actingForOrganization(orgs.a, () =>
      service.run((db) => db.idempotencyKey.deleteMany({ where: { organizationId: orgs.b } })),
    );
    expect(deleted.count).toBe(0);
    expect((await countsWith({ 'app.organization_id': orgs.b })).users).toBe(1);
  });

  it('the service refuses any query outside a data scope', async () => {
    await expect(service.run((db) => db.user.count())).rejects.toThrow(/outside any data scope/);
  });
});
