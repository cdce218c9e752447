import fc from 'fast-check';
import { classifyReply, OPT_OUT_KEYWORDS } from '../../../src/provisioning-flow/domain/opt-in-reply';

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
    ['STOP.', 'INVALID'],
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
});
