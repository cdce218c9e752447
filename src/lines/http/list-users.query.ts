import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { INDICATORS, type Indicator } from '../domain/indicator';
import { NETWORK_KEYS, type Network } from '../domain/networks';
import { NETWORK_STATUS_KEYS, type NetworkStatus } from '../domain/network-status';

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

  @ApiPropertyOptional({ enum: ['ACTIVE', 'SUSPENDED', 'DELETED', 'LOCKED'] })
  @IsOptional()
  @IsIn(['ACTIVE', 'SUSPENDED', 'DELETED', 'LOCKED'])
  userStatus?: 'ACTIVE' | 'SUSPENDED' | 'DELETED' | 'LOCKED';

  @ApiPropertyOptional({ description: 'Text in first or last name, username, MDN or email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
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
