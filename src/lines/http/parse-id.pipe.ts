import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { isNetwork, type Network } from '../domain/networks';
import { NotFoundError } from '../../common/errors/domain-error';

export const UserIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailedError([{ field: 'id', reason: 'must be a user id (UUID)' }]),
});

export const NetworkPipe = {
  transform(value: string): Network {
    if (!isNetwork(value)) throw new NotFoundError(`Unknown network ${value}`);
    return value;
  },
};
