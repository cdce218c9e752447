import { Client } from 'pg';
import { ConsentRetentionJob } from '../../src/consent/consent-retention.job';
import { DEFAULT_ORGANIZATION } from '../../src/organizations/domain/default-organization';
import { WebhookReceiptsCleanupJob } from '../../src/webhooks/webhook-receipts-cleanup.job';
import { kinds, ledgerOf, replyAs } from '../support/consent';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

/**
 * The ledger holds on PostgreSQL against the service itself: its roles may read and
 * insert only, a trigger refuses changes even from the tables' owner, and the record
 * outlives the user and every clean-up but its own retention.
 */
describe('the consent ledger is append-only on PostgreSQL', () => {
  let flow: FlowHarness;
  let owner: Client;
  const users: Record<'consenting' | 'revoked' | 'deleted', { id: string; mdn: string }> = {} as never;

  beforeAll(async () => {
    flow = await startFlow();
    if (flow.database.config.kind !== 'postgres') throw new Error('this suite needs PostgreSQL');
    owner = new Client({ connectionString: flow.database.config.url });
    await owner.connect();
    for (const [name, answer] of [
      ['consenting', 'YES'],
      ['revoked', 'STOP'],
      ['deleted', 'YES'],
    ] as const) {
      const user = (await flow.admin.post('/v1/users', aUser({ network: 'verizon' }))).body;
      await flow.settle();
      await replyAs(flow, user.mdn, answer);
      users[name] = user;
    }
  });
  afterAll(async () => {
    await owner.end();
    await flow.stop();
  });

  /** Runs `sql` as one of the service's roles, in a transaction that acts for the default organisation. */
  async function asRole(role: 'mdn_app' | 'mdn_system', sql: string): Promise<string> {
    await owner.query('BEGIN');
    try {
      await owner.query(`SET LOCAL ROLE ${role}`);
      await owner.query(`SELECT set_config('app.organization_id', '${DEFAULT_ORGANIZATION.id}', true)`);
      await owner.query(sql);
      return 'allowed';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    } finally {
      await owner.query('ROLLBACK');
    }
  }

  it.each(['mdn_app', 'mdn_system'] as const)(
    '%s cannot UPDATE, DELETE or TRUNCATE a ledger row',
    async (role) => {
      expect(await asRole(role, `SELECT count(*) FROM consent_entries`)).toBe('allowed');
      // 42501: insufficient_privilege (no grant).
      expect(await asRole(role, `UPDATE consent_entries SET message_text = 'forged'`)).toBe('42501');
      expect(await asRole(role, `DELETE FROM consent_entries`)).toBe('42501');
      expect(await asRole(role, `TRUNCATE consent_entries`)).toBe('42501');
      // The purge function's flag opens nothing to the service's roles.
      expect(await asRole(role, `SET LOCAL mdn.consent_purge = 'on'; DELETE FROM consent_entries`)).toBe(
        '42501',
      );
    },
  );

  it('the grants stay taken back after the service granted its roles again at start-up', async () => {
    const { rows } = await owner.query(
      `SELECT r AS role, has_table_privilege(r, 'consent_entries', 'UPDATE') AS u,
              has_table_privilege(r, 'consent_entries', 'DELETE') AS d,
              has_table_privilege(r, 'consent_entries', 'INSERT') AS i
       FROM unnest(ARRAY['mdn_app', 'mdn_system']) AS r`,
    );
    expect(rows).toEqual([
      { role: 'mdn_app', u: false, d: false, i: true },
      { role: 'mdn_system', u: false, d: false, i: true },
    ]);
  });

  it('even the tables’ owner is refused an UPDATE or a DELETE by the trigger', async () => {
    const refusal = (sql: string) =>
      owner.query(sql).then(
        () => 'allowed',
        (e: Error) => e.message,
      );
    expect(await refusal(`UPDATE consent_entries SET message_text = 'forged'`)).toMatch(
      /append-only \(UPDATE refused\)/,
    );
    expect(await refusal(`DELETE FROM consent_entries`)).toMatch(/append-only \(DELETE refused\)/);
  });

  it('a change made behind the database’s back (trigger disabled) breaks the hash chain, and verify says where', async () => {
    const path = `/v1/users/${users.consenting.id}/networks/verizon/consent`;
    expect((await flow.admin.get(`${path}/verify`)).body).toMatchObject({ intact: true });
    const { entries } = await ledgerOf(flow, users.consenting.id);
    const reply = entries.find((entry) => entry.kind === 'REPLY_RECEIVED')!;
    await owner.query('BEGIN');
    await owner.query('ALTER TABLE consent_entries DISABLE TRIGGER consent_entries_append_only');
    await owner.query(`UPDATE consent_entries SET reply_text = 'NO' WHERE id = $1`, [reply.id]);
    await owner.query('ALTER TABLE consent_entries ENABLE TRIGGER consent_entries_append_only');
    await owner.query('COMMIT');
    expect((await flow.admin.get(`${path}/verify`)).body).toEqual({
      intact: false,
      entries: entries.length,
      brokenAt: reply.id,
      why: 'its fields do not match its hash',
    });
  });

  it('survives the user’s deletion and the other clean-ups; retention removes only records whose consent no longer stands', async () => {
    const before = await ledgerOf(flow, users.deleted.id);
    expect((await flow.admin.delete(`/v1/users/${users.deleted.id}`)).status).toBe(200);
    const after = await ledgerOf(flow, users.deleted.id);
    expect(after.entries).toEqual(before.entries);
    // No entry holds the number in clear: only its keyed hash.
    const { rows } = await owner.query(`SELECT count(*)::int AS n FROM consent_entries WHERE mdn_hash = $1`, [
      users.deleted.mdn,
    ]);
    expect(rows[0].n).toBe(0);

    flow.clock.advanceDays(4 * 365);
    expect(await flow.runJob(WebhookReceiptsCleanupJob)).toBeGreaterThanOrEqual(0);
    expect(await flow.runJob(ConsentRetentionJob)).toBe(0);
    flow.clock.advanceDays(2 * 365);
    const removed = await flow.runJob(ConsentRetentionJob);
    expect(kinds(await ledgerOf(flow, users.consenting.id))).toContain('CONSENT_GIVEN');
    expect((await ledgerOf(flow, users.revoked.id)).entries).toEqual([]);
    expect((await ledgerOf(flow, users.deleted.id)).entries).toEqual([]);
    expect(removed).toBe(before.entries.length + 4);
  });
});
