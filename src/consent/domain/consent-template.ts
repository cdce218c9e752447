import { createHash } from 'node:crypto';

/** The wording of every text of the opt-in, as the customer approved it. */
export interface ConsentWording {
  optInText: string;
  helpText: string;
  optInConfirmation: string;
  optOutConfirmation: string;
  reminderText: string;
}

/** A version of the wording: each text records the version it was sent with. */
export interface ConsentTemplate extends ConsentWording {
  /** The organisation's template row id, or `default-<hash>` for the built-in wording. */
  versionId: string;
  version: number;
}

export const WORDING_FIELDS = [
  'optInText',
  'helpText',
  'optInConfirmation',
  'optOutConfirmation',
  'reminderText',
] as const satisfies readonly (keyof ConsentWording)[];

export const TEMPLATE_LIMITS = { min: 10, max: 320 } as const;

/**
 * The built-in wording, used until an organisation sets its own. `business` names the
 * organisation (HELP must give the business name), `contact` whom to ask. Its version
 * id is a hash of the words, so a change of OPT_IN_TEXT or of this code is a new version.
 */
export function defaultTemplate(optInText: string, business: string, contact: string): ConsentTemplate {
  const wording: ConsentWording = {
    optInText,
    helpText: `${business}: message capture on this line for your employer. Reply STOP to opt out. Help: ${contact}.`,
    optInConfirmation: `${business}: you have opted in to message capture on this line. Reply STOP to opt out.`,
    optOutConfirmation: `${business}: you have opted out of message capture. No more messages will be sent.`,
    reminderText: `${business}: reminder: messages on this line are captured for your employer. Reply STOP to opt out, HELP for help.`,
  };
  const hash = createHash('sha256').update(JSON.stringify(wording)).digest('hex').slice(0, 12);
  return { ...wording, versionId: `default-${hash}`, version: 0 };
}

/** What an organisation's wording must hold to be taken: texts of a sensible length, STOP named where it must be. */
export function wordingProblems(wording: ConsentWording): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  for (const field of WORDING_FIELDS) {
    const text = wording[field];
    if (
      typeof text !== 'string' ||
      text.trim().length < TEMPLATE_LIMITS.min ||
      text.length > TEMPLATE_LIMITS.max
    ) {
      problems.push({ field, reason: `must be ${TEMPLATE_LIMITS.min} to ${TEMPLATE_LIMITS.max} characters` });
    }
  }
  for (const field of ['optInText', 'helpText', 'reminderText'] as const) {
    if (typeof wording[field] === 'string' && !/\bSTOP\b/i.test(wording[field])) {
      problems.push({ field, reason: 'must say how to opt out (reply STOP)' });
    }
  }
  if (typeof wording.optInText === 'string' && !/\bYES\b/i.test(wording.optInText)) {
    problems.push({ field: 'optInText', reason: 'must ask for YES' });
  }
  return problems;
}
