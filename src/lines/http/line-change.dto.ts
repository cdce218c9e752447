import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NETWORK_STATUS_KEYS, type NetworkStatus } from '../domain/network-status';

export class ChangeLineStatusDto {
  @ApiProperty({ enum: NETWORK_STATUS_KEYS })
  @IsIn(NETWORK_STATUS_KEYS)
  status!: NetworkStatus;

  @ApiPropertyOptional({ example: 'Remove Message Block' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RecordSightingDto {
  @ApiPropertyOptional({ description: 'When the line was seen; defaults to now' })
  @IsOptional()
  @IsDateString({ strict: true })
  seenAt?: string;
}
