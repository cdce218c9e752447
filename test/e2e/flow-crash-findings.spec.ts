import { acrossOrganizations } from '../../src/database/data-scope';
import type { Network } from '../../src/lines/domain/networks';
import { NotFoundError, StaleWriteError } from '../../src/common/errors/domain-error';
import { ChangeLineStatus } from '../../src/lines/usecases/change-line-status.usecase';
import { FlowRepository } from '../../src/provisioning-flow/flow.repository';
import { FlowSteps } from '../../src/provisioning-flow/flow-steps';
import { Reconciler } from '../../src/provisioning-flow/reconciler';
import { createEmbeddedDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

/**
 * What the crash tests (crash.spec.ts) found: each race or restart they hit, replayed
 * here one at a time, in memory, so each stays fixed.
 */
describe('the provisioning flow after the races a crash test found', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow({ OPT_IN_MAX_SENDS: '2', CARRIER_TIMEOUT_MS: '10000' }, createEmbeddedDatabase);
  });
  afterAll(() => flow.stop());
  afterEach(() => flow.simulator.setMode('sms', { kind: 'healthy' }));

  const lines = () => flow.running.app.get(FlowRepository);
  // The flow's own work acts across organisations (its path in the service says so too).
  const asTheFlow = <T>(work: () => Promise<T>) => acrossOrganizations('the flow, under test', work);
  const lineOf = async (id: string, network: Network = 'verizon') =>
    (await asTheFlow(() => lines().findOfUser(id, network)))!;
  const reply = (mdn: string, text: string) =>
    flow.deliver('sms', {
      messageId: `m-${Math.random()}`,
      from: mdn,
      text,
      receivedAt: flow.clock.now().toISOString(),
    });

  async function register(body: Record<string, unknown>): Promise<{ id: string; mdn: string }> {
    const response = await flow.admin.post('/v1/users', aUser(body));
    expect(response.status).toBe(201);
    return response.body;
  }

  it('a YES to the last allowed text reopens the round settled at the cap: the line is enabled', async () => {
    const user = await register({ network: 'verizon' });
    await flow.settle();
    flow.clock.advanceDays(1);
    await flow.settle();
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(2);
    expect((await lineOf(user.id)).settled).toBe(true); // at the cap: nothing more to send

    expect((await reply(user.mdn, 'YES')).status).toBe(202);
    await flow.settle();
    expect((await lineOf(user.id)).status).toBe('ENABLED');
  });

  it('a text whose outcome arrives after a reply is just marked done: nothing stays in flight', async () => {
    const user = await register({ network: 'verizon' });
    await flow.settle();
    flow.clock.advanceDays(1);
    // The resend goes through a slow gateway; the subscriber's answer comes meanwhile.
    flow.simulator.setMode('sms', { kind: 'slow', delayMs: 1_000 });
    const pass = flow.running.app.get(Reconciler).run();
    await eventually(async () => (await lineOf(user.id)).inFlight.kind === 'OPT_IN_TEXT' || undefined);
    expect((await reply(user.mdn, 'maybe')).status).toBe(202);
    await pass;

    const line = await lineOf(user.id);
    expect(line.status).toBe('INVALID_OPT_IN_RESPONSE');
    expect(line.inFlight).toEqual({ kind: 'NONE' });
    expect(line.optInSends).toBe(2);
    expect(flow.simulator.textsTo(user.mdn)).toHaveLength(2);
  });

  it('a callback confirming a direct line’s current status closes the request it answers', async () => {
    const user = await register({ network: 'att' });
    await flow.settle();
    expect((await lineOf(user.id, 'att')).status).toBe('ENABLED');

    expect((await flow.admin.post(`/v1/users/${user.id}/networks/att/provision`, {})).status).toBe(202);
    await flow.settle();
    const line = await lineOf(user.id, 'att');
    expect(line.status).toBe('ENABLED');
    expect(line.inFlight).toEqual({ kind: 'NONE' });
    expect(line.settled).toBe(true);
  });

  it('the flow’s compare-and-set sees a new round and a new count of texts, not only the sequence', async () => {
    const user = await register({ network: 'att' });
    const before = await lineOf(user.id, 'att');
    expect((await flow.admin.post(`/v1/users/${user.id}/networks/att/provision`, {})).status).toBe(202);
    await expect(asTheFlow(() => lines().settle(before, flow.clock.now()))).rejects.toBeInstanceOf(
      StaleWriteError,
    );

    const verizon = await register({ network: 'verizon' });
    await flow.settle();
    const read = await lineOf(verizon.id);
    expect(read.optInSends).toBe(1);
    const resend = await flow.admin.post(`/v1/users/${verizon.id}/networks/verizon/opt-in/resend`, {});
    expect(resend.status).toBe(202);
    await expect(asTheFlow(() => lines().schedule(read, null))).rejects.toBeInstanceOf(StaleWriteError);
    await flow.settle();
  });

  it('a carrier’s word that found the line before its user was deleted does not move it afterwards', async () => {
    const user = await register({ network: 'tmobile' });
    await flow.settle();
    const disabled = await flow.admin.post(`/v1/users/${user.id}/networks/tmobile/status`, {
      status: 'DISABLED',
    });
    expect(disabled.status).toBe(200);
    expect((await flow.admin.delete(`/v1/users/${user.id}`)).status).toBe(200);

    // What the callback does next, having read the line while its user still lived.
    const move = asTheFlow(() =>
      flow.running.app.get(ChangeLineStatus).execute({
        userId: user.id,
        network: 'tmobile',
        to: 'ENABLED',
        source: 'CARRIER_CALLBACK',
      }),
    );
    await expect(move).rejects.toBeInstanceOf(NotFoundError);
    expect((await lineOf(user.id, 'tmobile')).status).toBe('DISABLED');
  });

  it('a status set by hand drops the request still out: its older answer does not apply, nothing waits for it', async () => {
    const user = await register({ network: 'tmobile' });
    flow.simulator.script(user.mdn, { kind: 'silent' });
    await flow.settle();
    expect((await lineOf(user.id, 'tmobile')).inFlight).toMatchObject({ phase: 'ACCEPTED' });
    const sentAt = flow.clock.now();
    flow.clock.advanceSeconds(5);
    const disabled = await flow.admin.post(`/v1/users/${user.id}/networks/tmobile/status`, {
      status: 'DISABLED',
    });
    expect(disabled.status).toBe(200);
    // The carrier's answer, stamped when it was given: before the administrator's move.
    await flow.deliver('tmobile', {
      type: 'provisioning.updated',
      callbackId: `cb-${Math.random()}`,
      occurredAt: sentAt.toISOString(),
      mdn: user.mdn,
      status: 'ENABLED',
    });
    await flow.settle();
    const line = await lineOf(user.id, 'tmobile');
    expect(line.status).toBe('DISABLED');
    expect(line.inFlight).toEqual({ kind: 'NONE' });
    expect(line.settled).toBe(true);
  });

  it('a lookup’s answer counts only while the lookup is still wanted (here: the user was deleted)', async () => {
    const user = await register({});
    flow.simulator.setLookup(user.mdn, 'att');
    const claimed = (await asTheFlow(() => lines().claimLookups(flow.clock.now(), 60_000, 100))).find(
      (lookup) => lookup.userId === user.id,
    );
    expect(claimed).toBeDefined();
    expect((await flow.admin.delete(`/v1/users/${user.id}`)).status).toBe(200);

    await asTheFlow(() => flow.running.app.get(FlowSteps).lookUp(claimed!));
    expect(await asTheFlow(() => lines().findOfUser(user.id, 'att'))).toBeUndefined();
  });
});
