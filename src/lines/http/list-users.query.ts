import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { INDICATORS, type Indicator } from '../domain/indicator';
import { NETWORK_KEYS, type Network } from '../domain/networks';
import { NETWORK_STATUS_KEYS, type NetworkStatus } from '../domain/network-status';
import { SORT_PARAMS } from '../domain/user-sort';

export class ListUsersQuery {
  @ApiPropertyOptional({ enum: NETWORK_KEYS })
  @IsOptional()
  @IsIn(NETWORK_KEYS)
  network?: Network;

  @ApiPropertyOptional({ enum: INDICATORS })
  @IsOptional()
  @IsIn(INDICATORS)
  indicator?: Indicator;

  @ApiPropertyOptional({ enum: NETWORK_STATUS_KEYS })
  @IsOptional()
  @IsIn(NETWORK_STATUS_KEYS)
  networkStatus?: NetworkStatus;

  @ApiPropertyOptional({
    enum: ['ACTIVE', 'SUSPENDED', 'DELETED', 'LOCKED'],
    description: 'Without it, deleted users are left out',
  })
  @IsOptional()
  @IsIn(['ACTIVE', 'SUSPENDED', 'DELETED', 'LOCKED'])
  userStatus?: 'ACTIVE' | 'SUSPENDED' | 'DELETED' | 'LOCKED';

  @ApiPropertyOptional({
    description:
      'Text anywhere in the first, last or full name (either order), username or email, or an MDN in any ' +
      'spelling: 2125550101, 212-555-0101, (212) 555-0101, +12125550101',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({
    enum: SORT_PARAMS,
    description: 'The order (default: registration); a leading - for descending, e.g. -lastName',
  })
  @IsOptional()
  @IsIn(SORT_PARAMS)
  sort?: string;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page, with the same sort' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
