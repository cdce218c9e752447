import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CarrierSimulator, newWebhookSecret } from '../../src/simulator/carrier-simulator';
import { freePort } from '../support/process';

/**
 * Real webhook senders keep trying while the receiver is down (refused, reset), with the
 * same webhook-id, for a bounded time: the crash tests rely on the simulator doing so.
 */
describe('the simulator retries a callback the service could not take', () => {
  const secrets = {
    verizon: newWebhookSecret(),
    att: newWebhookSecret(),
    tmobile: newWebhookSecret(),
    sms: newWebhookSecret(),
  };
  let simulator: CarrierSimulator;
  let receiver: Server | undefined;
  let port: number;

  beforeEach(async () => {
    port = await freePort();
    simulator = await new CarrierSimulator({
      secrets,
      autoReply: 'YES',
      callbackDelayMs: 5,
      callbackRetryMs: 3_000,
      serviceUrl: `http://127.0.0.1:${port}`,
    }).start();
  });
  afterEach(async () => {
    await simulator.stop();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    receiver = undefined;
  });

  /** An opt-in text through the simulated gateway (its key says so): its YES is the callback under test. */
  const sendText = () =>
    fetch(`${simulator.urlOf('sms')}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `line:opt-in:1:${Math.random()}` },
      body: JSON.stringify({ to: '+12015550123', text: 'Reply YES' }),
    });

  /** Listens on the service's port; `answer` decides each delivery's fate. */
  function listen(answer: (request: IncomingMessage, attempt: number) => number | 'reset') {
    const ids: string[] = [];
    receiver = createServer((request, response) => {
      ids.push(String(request.headers['webhook-id']));
      const fate = answer(request, ids.length);
      if (fate === 'reset') request.socket.destroy();
      else request.resume().on('end', () => response.writeHead(fate).end());
    });
    return new Promise<string[]>((resolve) => receiver!.listen(port, '127.0.0.1', () => resolve(ids)));
  }

  it('connection refused: delivered once the receiver is up, with the webhook-id it had', async () => {
    expect((await sendText()).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 600)); // a few refused attempts
    const ids = await listen(() => 200);
    await simulator.settle();
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/[\w-]{36}/);
  });

  it('connection reset, then 409 (a claim not expired yet), then 200: the same webhook-id each time', async () => {
    const ids = await listen((_request, attempt) => (attempt === 1 ? 'reset' : attempt === 2 ? 409 : 200));
    await sendText();
    await simulator.settle();
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it('gives up after its bound when the receiver never comes back', async () => {
    const started = Date.now();
    await sendText();
    await simulator.settle();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(3_000);
    expect(took).toBeLessThan(6_000);
  });
});
