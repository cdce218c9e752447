import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationFailedError, type FieldProblem } from './errors/domain-error';

/** Request bodies and queries: unknown fields refused, and every bad field listed at once. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailedError(fieldProblems(errors)),
  });
}

/** class-validator's errors as `{ field, reason }`, nested fields dotted. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      reason: message.replace(new RegExp(`^${error.property} `), ''),
    }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}
