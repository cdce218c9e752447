import { StaleWriteError } from '../../src/common/errors/domain-error';
import { LinesRepository } from '../../src/lines/persistence/lines.repository';
import { FlowRepository } from '../../src/provisioning-flow/flow.repository';
import { aUser } from '../support/factories';
import { startFlow, type FlowHarness } from '../support/flow';

/**
 * "The business says no" is an answer (409), given after one read; only a lost race
 * (StaleWriteError) is planned again, once. The spies sit on the app's own repositories.
 */
describe('business refusals are answered, not retried', () => {
  let flow: FlowHarness;

  beforeAll(async () => {
    flow = await startFlow();
  });
  afterAll(() => flow.stop());
  afterEach(() => jest.restoreAllMocks());

  async function verizonUserWithTextSent(): Promise<{ id: string; mdn: string }> {
    const response = await flow.admin.post('/v1/users', aUser({ network: 'verizon' }));
    expect(response.status).toBe(201);
    await flow.settle();
    return response.body;
  }

  const resend = (id: string) => flow.admin.post(`/v1/users/${id}/networks/verizon/opt-in/resend`);

  it('an opt-in resend on an opted-out line: 409, after one read and no write', async () => {
    const user = await verizonUserWithTextSent();
    const stop = await flow.deliver('sms', {
      messageId: `m-${user.id}`,
      from: user.mdn,
      text: 'STOP',
      receivedAt: flow.clock.now().toISOString(),
    });
    expect(stop.status).toBe(202);

    const lines = flow.running.app.get(FlowRepository);
    const reads = jest.spyOn(lines, 'findOfUser');
    const writes = jest.spyOn(lines, 'restartTexts');
    const response = await resend(user.id);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'conflict', message: expect.stringMatching(/opted out/) });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(writes).not.toHaveBeenCalled();
  });

  it('an opt-in resend that loses a race is planned again once: two reads, then 202', async () => {
    const user = await verizonUserWithTextSent();
    const lines = flow.running.app.get(FlowRepository);
    const reads = jest.spyOn(lines, 'findOfUser');
    const writes = jest.spyOn(lines, 'restartTexts').mockRejectedValueOnce(new StaleWriteError());
    const response = await resend(user.id);
    expect(response.status).toBe(202);
    expect(reads).toHaveBeenCalledTimes(2);
    expect(writes).toHaveBeenCalledTimes(2);
  });

  it('a resend that loses two races answers 409 concurrent_change after two attempts, not more', async () => {
    const user = await verizonUserWithTextSent();
    const lines = flow.running.app.get(FlowRepository);
    const reads = jest.spyOn(lines, 'findOfUser');
    jest.spyOn(lines, 'restartTexts').mockRejectedValue(new StaleWriteError());
    const response = await resend(user.id);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'concurrent_change' });
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('a status change the state machine refuses: 409 transition_not_allowed, after one read', async () => {
    const user = await verizonUserWithTextSent();
    const reads = jest.spyOn(flow.running.app.get(LinesRepository), 'findLive');
    const response = await flow.admin.post(`/v1/users/${user.id}/networks/verizon/status`, {
      status: 'PENDING_PROVISIONING',
    });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'transition_not_allowed' });
    expect(reads).toHaveBeenCalledTimes(1);
  });
});
