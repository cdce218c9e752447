import fc from 'fast-check';
import {
  CONSENT_ENTRY_KINDS,
  entryHash,
  mdnHash,
  verifyChain,
  type ConsentEntry,
  type ConsentFacts,
} from '../../../src/consent/domain/consent-entry';
import { defaultTemplate, wordingProblems } from '../../../src/consent/domain/consent-template';
import { reminderDueAt } from '../../../src/consent/domain/reminders';

const LINE = '01900000-0000-7000-8000-000000000001';

function chain(facts: Partial<ConsentFacts>[]): ConsentEntry[] {
  let prev = null as string | null;
  return facts.map((fact, i) => {
    const full: ConsentFacts = {
      organizationId: '00000000-0000-4000-8000-000000000001',
      userId: '01900000-0000-7000-8000-000000000002',
      lineId: LINE,
      mdnHash: mdnHash('k'.repeat(32), '+12015550123'),
      kind: 'TEXT_SENT',
      source: 'SYSTEM',
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      dedupeKey: `key-${i}`,
      ...fact,
    };
    const entry: ConsentEntry = {
      messageText: null,
      templateVersion: null,
      gatewayMessageId: null,
      deliveryStatus: null,
      deliveryReason: null,
      refersTo: null,
      replyText: null,
      replyReading: null,
      actor: null,
      ...full,
      id: BigInt(i + 1),
      recordedAt: new Date(),
      prevHash: prev,
      hash: entryHash(prev, full),
    };
    prev = entry.hash;
    return entry;
  });
}

const someFacts = fc.array(
  fc.record({
    kind: fc.constantFrom(...CONSENT_ENTRY_KINDS),
    messageText: fc.option(fc.string(), { nil: null }),
    replyText: fc.option(fc.string(), { nil: null }),
  }),
  { minLength: 2, maxLength: 8 },
);

describe('the consent hash chain', () => {
  it('property: an untouched chain is intact, and stays so with its oldest entries purged', () => {
    fc.assert(
      fc.property(someFacts, fc.nat(), (facts, cut) => {
        const entries = chain(facts);
        expect(verifyChain(entries)).toEqual({ intact: true, entries: entries.length });
        const kept = entries.slice(cut % entries.length);
        expect(verifyChain(kept).intact).toBe(true);
      }),
    );
  });

  it('property: changing any text of any entry breaks the chain at that entry', () => {
    fc.assert(
      fc.property(someFacts, fc.nat(), fc.string({ minLength: 1 }), (facts, at, forged) => {
        const entries = chain(facts);
        const i = at % entries.length;
        const changed = entries.map((entry, j) =>
          j === i ? { ...entry, replyText: `${entry.replyText ?? ''}${forged}` } : entry,
        );
        expect(verifyChain(changed)).toMatchObject({ intact: false, brokenAt: entries[i].id });
      }),
    );
  });

  it('property: removing an entry from the middle breaks the chain after it', () => {
    fc.assert(
      fc.property(
        someFacts.filter((f) => f.length >= 3),
        fc.nat(),
        (facts, at) => {
          const entries = chain(facts);
          const i = 1 + (at % (entries.length - 2));
          const gapped = [...entries.slice(0, i), ...entries.slice(i + 1)];
          expect(verifyChain(gapped)).toMatchObject({ intact: false, brokenAt: entries[i + 1].id });
        },
      ),
    );
  });

  it('keeps numbers as keyed hashes: another key, another hash', () => {
    expect(mdnHash('a'.repeat(32), '+12015550123')).not.toBe(mdnHash('b'.repeat(32), '+12015550123'));
    expect(mdnHash('a'.repeat(32), '+12015550123')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('reminders', () => {
  it('are off at 0 months, due a quarter after the later of the consent and the last reminder', () => {
    const given = new Date('2026-01-15T10:00:00Z');
    expect(reminderDueAt(given, null, 0)).toBeNull();
    expect(reminderDueAt(given, null, 3)).toEqual(new Date('2026-04-15T10:00:00Z'));
    expect(reminderDueAt(given, new Date('2026-04-16T00:00:00Z'), 3)).toEqual(
      new Date('2026-07-16T00:00:00Z'),
    );
    expect(reminderDueAt(given, new Date('2025-01-01T00:00:00Z'), 6)).toEqual(
      new Date('2026-07-15T10:00:00Z'),
    );
  });
});

describe('wording', () => {
  const wording = defaultTemplate(
    'Reply YES to allow capture. Reply STOP to opt out.',
    'Acme',
    'it@acme.example',
  );

  it('the built-in wording passes its own rules, and a change of words is a new version', () => {
    expect(wordingProblems(wording)).toEqual([]);
    expect(defaultTemplate('Reply YES to allow. Reply STOP to opt out.', 'Acme', 'x').versionId).not.toBe(
      wording.versionId,
    );
  });

  it('an opt-in text that does not ask for YES or name STOP is refused, with each field named', () => {
    expect(
      wordingProblems({ ...wording, optInText: 'Please agree to capture on your line', helpText: 'short' }),
    ).toEqual([
      { field: 'helpText', reason: 'must be 10 to 320 characters' },
      { field: 'optInText', reason: 'must say how to opt out (reply STOP)' },
      { field: 'helpText', reason: 'must say how to opt out (reply STOP)' },
      { field: 'optInText', reason: 'must ask for YES' },
    ]);
  });
});
