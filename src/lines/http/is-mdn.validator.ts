import { registerDecorator, type ValidationOptions } from 'class-validator';
import { normalizeMdn } from '../domain/mdn';

/** A phone number that normalises to E.164 (US numbers may omit +1). */
export function IsMdn(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMdn',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: ({ value }) => mdnProblem(value), ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && normalizeMdn(value).ok },
    });
}

function mdnProblem(value: unknown): string {
  if (typeof value !== 'string') return 'must be a phone number string';
  const check = normalizeMdn(value);
  return check.ok ? '' : check.reason;
}
