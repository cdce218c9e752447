import fc from 'fast-check';
import {
  classifyReply,
  HELP_KEYWORDS,
  OPT_OUT_KEYWORDS,
  readReply,
  STOP_PHRASES,
} from '../../../src/provisioning-flow/domain/opt-in-reply';

describe('classifyReply: Verizon’s opt-in rule', () => {
  it.each([
    ['YES', 'YES'],
    ['yes', 'YES'],
    ['Yes', 'YES'],
    ['  yes \n', 'YES'],
    ['\tYES\t', 'YES'],
    ['Yes.', 'INVALID'],
    ['YES!', 'INVALID'],
    ['yes please', 'INVALID'],
    ['YES - Ada', 'INVALID'],
    ['Y', 'INVALID'],
    ['YES YES', 'INVALID'],
    ['', 'INVALID'],
    ['STOP', 'OPT_OUT'],
    ['stop', 'OPT_OUT'],
    [' Unsubscribe ', 'OPT_OUT'],
    ['StopAll', 'OPT_OUT'],
    ['cancel', 'OPT_OUT'],
    ['END', 'OPT_OUT'],
    ['quit', 'OPT_OUT'],
    // A reasonable person reads a full stop after STOP as STOP (the rule before read it as invalid).
    ['STOP.', 'OPT_OUT'],
    ['Revoke', 'OPT_OUT'],
    ['opt out', 'OPT_OUT'],
    ['Opt-Out', 'OPT_OUT'],
    ['HELP', 'HELP'],
    ['help?', 'INVALID'],
    ['Info', 'HELP'],
    ['Please stop texting me', 'OPT_OUT'],
    ['Stop sending these', 'OPT_OUT'],
    ['remove me from this list', 'OPT_OUT'],
    ['I don’t consent to this', 'OPT_OUT'],
    ['No', 'OPT_OUT'],
    ['no thanks', 'OPT_OUT'],
    ['I will see you at the end of the day', 'INVALID'],
    ['don’t stop', 'INVALID'],
    ['Not now, maybe later', 'INVALID'],
    ['ok', 'INVALID'],
  ])('%j is %s', (text, expected) => {
    expect(classifyReply(text)).toBe(expected);
  });

  it('property: only YES itself, whatever its case and surrounding white space, is YES', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(classifyReply(text) === 'YES').toBe(text.trim().toUpperCase() === 'YES');
      }),
    );
  });

  it('property: every opt-out keyword in any case is an opt-out', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPT_OUT_KEYWORDS), fc.array(fc.boolean()), (keyword, upper) => {
        const mixed = [...keyword].map((c, i) => (upper[i] ? c : c.toLowerCase())).join('');
        expect(classifyReply(` ${mixed} `)).toBe('OPT_OUT');
      }),
    );
  });

  it.each([
    ['STOP', 'STOP_KEYWORD'],
    ['opt out!', 'STOP_KEYWORD'],
    ['Stop texting me', 'STOP_PHRASE'],
    ['please remove me', 'STOP_PHRASE'],
    ['NO', 'STOP_PHRASE'],
    ['YES', 'YES'],
    ['help', 'HELP'],
    ['Yes.', 'INVALID'],
  ])('%j is read as %s', (text, reading) => {
    expect(readReply(text)).toBe(reading);
  });

  it('property: a listed phrase anywhere among other words is an opt-out', () => {
    const word = fc.stringMatching(/^[a-z]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 4 }),
        fc.constantFrom(...STOP_PHRASES),
        fc.array(word, { maxLength: 4 }),
        (before, phrase, after) => {
          const text = [...before, phrase.toLowerCase(), ...after].join(' ');
          expect(classifyReply(text)).toBe('OPT_OUT');
        },
      ),
    );
  });

  it('property: a reply that begins with an opt-out keyword is an opt-out, whatever follows', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPT_OUT_KEYWORDS), fc.string(), (keyword, rest) => {
        expect(classifyReply(`${keyword.toLowerCase()} ${rest}`)).toBe('OPT_OUT');
      }),
    );
  });

  it('property: YES followed by anything (an auto-signature) is never consent', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((tail) => tail.trim() !== ''),
        (signature) => {
          expect(classifyReply(`YES\n${signature}`)).not.toBe('YES');
          expect(classifyReply(`YES ${signature}`)).not.toBe('YES');
        },
      ),
    );
  });

  it('property: HELP keywords are HELP in any case, and never an opt-out', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HELP_KEYWORDS), fc.array(fc.boolean()), (keyword, upper) => {
        const mixed = [...keyword].map((c, i) => (upper[i] ? c : c.toLowerCase())).join('');
        expect(classifyReply(`  ${mixed}. `)).toBe('HELP');
      }),
    );
  });
});
