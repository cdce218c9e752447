import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import type { WebhooksConfig } from '../../../src/config/config';
import { newWebhookSecret } from '../../../src/simulator/carrier-simulator';
import { WebhookRefusedError, WebhookVerifier } from '../../../src/webhooks/webhook-verifier';

/*
 * The verifier is written on node:crypto; the `standardwebhooks` package, which senders
 * (and the simulator) sign with, is the oracle: what it signs verifies, and any change to
 * the id, the timestamp, the body or the signature is refused.
 */
const [current, next, stranger] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
const verifier = new WebhookVerifier({ secrets: { att: [current, next] } } as unknown as WebhooksConfig);

const ids = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const bodies = fc.string({ unit: 'grapheme', maxLength: 200 });
// Kept a few seconds inside and outside the 300 s tolerance: the clock ticks between signing and verifying.
const skews = fc.integer({ min: -295, max: 295 });

function signed(secret: string, id: string, skew: number, body: string) {
  const timestamp = Math.floor(Date.now() / 1000) + skew;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new Webhook(secret).sign(id, new Date(timestamp * 1000), body),
  };
}

function refusal(act: () => unknown): string | undefined {
  try {
    act();
    return undefined;
  } catch (error) {
    if (error instanceof WebhookRefusedError) return error.refusal;
    throw error;
  }
}

describe('verifying a Standard Webhooks signature', () => {
  it('accepts what the package signs with any of the source’s secrets, within the tolerance', () => {
    fc.assert(
      fc.property(fc.constantFrom(current, next), ids, skews, bodies, (secret, id, skew, body) => {
        expect(verifier.verify('att', Buffer.from(body), signed(secret, id, skew, body))).toBe(id);
      }),
    );
  });

  it('refuses a signature of another secret, of another body or of another id', () => {
    fc.assert(
      fc.property(ids, skews, bodies, bodies, (id, skew, body, other) => {
        fc.pre(body !== other);
        const raw = Buffer.from(body);
        expect(refusal(() => verifier.verify('att', raw, signed(stranger, id, skew, body)))).toBe(
          'signature',
        );
        expect(refusal(() => verifier.verify('att', raw, signed(current, id, skew, other)))).toBe(
          'signature',
        );
        const headers = signed(current, id, skew, body);
        expect(refusal(() => verifier.verify('att', raw, { ...headers, 'webhook-id': `${id}x` }))).toBe(
          'signature',
        );
      }),
    );
  });

  it('refuses a signature with any one character changed, and a timestamp moved by a second', () => {
    fc.assert(
      fc.property(ids, bodies, fc.nat(), fc.constantFrom(-1, 1), (id, body, at, step) => {
        const headers = signed(current, id, 0, body);
        const signature = headers['webhook-signature'];
        const i = 3 + (at % (signature.length - 3));
        const changed = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
        const raw = Buffer.from(body);
        expect(refusal(() => verifier.verify('att', raw, { ...headers, 'webhook-signature': changed }))).toBe(
          'signature',
        );
        const moved = String(Number(headers['webhook-timestamp']) + step);
        expect(refusal(() => verifier.verify('att', raw, { ...headers, 'webhook-timestamp': moved }))).toBe(
          'signature',
        );
      }),
    );
  });

  it('takes a matching v1 signature among several, and ignores other versions', () => {
    const headers = signed(current, 'msg_1', 0, '{}');
    const several = `v2,${headers['webhook-signature'].slice(3)} v1,AAAA ${headers['webhook-signature']}`;
    expect(verifier.verify('att', Buffer.from('{}'), { ...headers, 'webhook-signature': several })).toBe(
      'msg_1',
    );
    const onlyV2 = `v2,${headers['webhook-signature'].slice(3)}`;
    expect(
      refusal(() => verifier.verify('att', Buffer.from('{}'), { ...headers, 'webhook-signature': onlyV2 })),
    ).toBe('signature');
  });

  it('refuses a timestamp more than 5 minutes off, or not whole seconds, as a timestamp', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 305, max: 10_000_000 }), fc.integer({ min: -10_000_000, max: -305 })),
        (skew) => {
          const headers = signed(current, 'msg_1', skew, '{}');
          expect(refusal(() => verifier.verify('att', Buffer.from('{}'), headers))).toBe('timestamp');
        },
      ),
    );
    const headers = signed(current, 'msg_1', 0, '{}');
    for (const timestamp of [`${headers['webhook-timestamp']}abc`, '-1', '1.5', '']) {
      expect(
        refusal(() =>
          verifier.verify('att', Buffer.from('{}'), { ...headers, 'webhook-timestamp': timestamp }),
        ),
      ).toBeDefined();
    }
  });

  it('refuses a source with no secret, and missing headers', () => {
    const headers = signed(current, 'msg_1', 0, '{}');
    expect(refusal(() => verifier.verify('sms', Buffer.from('{}'), headers))).toBe('signature');
    for (const name of ['webhook-id', 'webhook-signature'] as const) {
      expect(
        refusal(() => verifier.verify('att', Buffer.from('{}'), { ...headers, [name]: undefined })),
      ).toBe('signature');
    }
  });
});
