import fc from 'fast-check';
import { firstCopies, type DeliveryKeys } from '../../../src/webhooks/domain/first-copies';

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

describe('the first copies in a batch of deliveries', () => {
  it('no two firsts are copies of each other', () => {
    fc.assert(
      fc.property(deliveries, (batch) => {
        const firsts = batch.filter((_, i) => firstCopies(batch)[i]);
        firsts.forEach((a, i) => firsts.slice(i + 1).forEach((b) => expect(copies(a, b)).toBe(false)));
      }),
    );
  });

  it('a delivery that is not first is a copy of an earlier first', () => {
    fc.assert(
      fc.property(deliveries, (batch) => {
        const first = firstCopies(batch);
        batch.forEach((delivery, i) => {
          if (!first[i])
            expect(batch.slice(0, i).some((earlier, j) => first[j] && copies(earlier, delivery))).toBe(true);
        });
      }),
    );
  });

  it('the first delivery of a batch is always first, and a batch with no copies is all firsts', () => {
    fc.assert(
      fc.property(deliveries, (batch) => {
        if (batch.length > 0) expect(firstCopies(batch)[0]).toBe(true);
        const distinct = batch.map((delivery, i) => ({
          ...delivery,
          payloadId: `p${i}`,
          webhookId: `w${i}`,
        }));
        expect(firstCopies(distinct).every(Boolean)).toBe(true);
      }),
    );
  });
});
