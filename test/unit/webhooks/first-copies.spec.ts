import fc from 'fast-check';
import { copyOf, FIRST, type DeliveryKeys } from '../../../src/webhooks/domain/first-copies';

// Few distinct values, so that copies by payload id and by webhook-id are common.
const deliveries = fc.array(
  fc.record<DeliveryKeys>({
    source: fc.constantFrom('att', 'sms'),
    payloadId: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
    webhookId: fc.constantFrom('w1', 'w2', 'w3', 'w4'),
  }),
  { maxLength: 30 },
);

const copies = (a: DeliveryKeys, b: DeliveryKeys) =>
  a.source === b.source && (a.payloadId === b.payloadId || a.webhookId === b.webhookId);

describe('copies in a batch of deliveries', () => {
  it('no two first copies are copies of each other', () => {
    fc.assert(
      fc.property(deliveries, (batch) => {
        const copy = copyOf(batch);
        const firsts = batch.filter((_, i) => copy[i] === FIRST);
        firsts.forEach((a, i) => firsts.slice(i + 1).forEach((b) => expect(copies(a, b)).toBe(false)));
      }),
    );
  });

  it('a later copy names an earlier first copy that it is a copy of', () => {
    fc.assert(
      fc.property(deliveries, (batch) => {
        const copy = copyOf(batch);
        batch.forEach((delivery, i) => {
          if (copy[i] === FIRST) return;
          expect(copy[i]).toBeLessThan(i);
          expect(copy[copy[i]]).toBe(FIRST);
          expect(copies(batch[copy[i]], delivery)).toBe(true);
        });
      }),
    );
  });

  it('the first delivery of a batch is a first copy, and a batch with no copies is all first copies', () => {
    fc.assert(
      fc.property(deliveries, (batch) => {
        if (batch.length > 0) expect(copyOf(batch)[0]).toBe(FIRST);
        const distinct = batch.map((delivery, i) => ({
          ...delivery,
          payloadId: `p${i}`,
          webhookId: `w${i}`,
        }));
        expect(copyOf(distinct).every((at) => at === FIRST)).toBe(true);
      }),
    );
  });
});
