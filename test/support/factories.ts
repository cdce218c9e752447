import { randomInt } from 'node:crypto';

let counter = 0;

// Numbers +1 201 200-0000 to +1 201 899-9999, walked from a random start: unique within a
// test process (a random pick collided about once in 250 runs of a 240-user test).
const NUMBER_SPACE = 700 * 10_000;
let nextNumber = randomInt(0, NUMBER_SPACE);

/** A valid US mobile number, different on each call in this process. */
export function aMobileNumber(): string {
  nextNumber = (nextNumber + 1) % NUMBER_SPACE;
  const exchange = 200 + Math.floor(nextNumber / 10_000);
  const line = String(nextNumber % 10_000).padStart(4, '0');
  return `+1201${exchange}${line}`;
}

/** A registration body with every mandatory field, unique where it must be. */
export function aUser(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}${randomInt(0, 1e6).toString(36)}`;
  return {
    firstName: 'Ada',
    lastName: `Lovelace${counter}`,
    username: `ada.${tag}`,
    mdn: aMobileNumber(),
    email: `ada.${tag}@example.com`,
    ...overrides,
  };
}
