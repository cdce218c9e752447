import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INDICATORS } from '../domain/indicator';
import { NETWORK_KEYS } from '../domain/networks';
import { NETWORK_STATUS_KEYS } from '../domain/network-status';

/** The OpenAPI shapes of the users API's answers (what LinesQueries presents). */
export class LineResponse {
  @ApiProperty({ enum: NETWORK_KEYS }) network!: string;
  @ApiProperty({ example: 'Verizon' }) networkName!: string;
  @ApiProperty({ enum: NETWORK_STATUS_KEYS }) status!: string;
  @ApiProperty({ example: 'Enabled' }) statusLabel!: string;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ enum: INDICATORS }) indicator!: string;
  @ApiProperty({ type: String, nullable: true }) indicatorReason!: string | null;
  @ApiProperty() tooltip!: string;
  @ApiProperty({ format: 'date-time' }) statusChangedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeenAt!: string | null;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() firstName!: string;
  @ApiProperty() lastName!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ description: 'E.164', example: '+12015550123' }) mdn!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) businessPhone!: string | null;
  @ApiProperty({ type: String, nullable: true }) company!: string | null;
  @ApiProperty({ type: String, nullable: true }) customerCode!: string | null;
  @ApiProperty({ type: String, nullable: true }) udid!: string | null;
  @ApiProperty({ enum: ['ACTIVE', 'SUSPENDED', 'DELETED', 'LOCKED'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) serviceLevel!: string | null;
  @ApiProperty({ type: String, nullable: true }) messagingAppVersion!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "The latest last-seen time over the user's lines (Last Seen); null if never seen",
  })
  lastSeenAt!: string | null;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: [LineResponse] }) networks!: LineResponse[];
}

export class UserPageResponse {
  @ApiProperty({ type: [UserResponse] }) items!: UserResponse[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` (with the same sort and filters) for the next page; null on the last',
  })
  nextCursor!: string | null;
  @ApiProperty({ description: 'How many users match in all: exact when totalIsExact, else an estimate' })
  total!: number;
  @ApiProperty({ description: 'True when total was counted (up to 1,000 matches), false when estimated' })
  totalIsExact!: boolean;
}

export class InviteResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['APP_LINK', 'LOGIN_DETAILS'] }) kind!: string;
  @ApiProperty({ enum: ['PENDING', 'SENT', 'FAILED'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
}

export class UserHistoryEntryResponse {
  @ApiProperty({ enum: ['STATUS', 'INVITE'] }) kind!: string;
  @ApiProperty({ format: 'date-time', description: 'When it happened (a move) or was asked for (an invite)' })
  at!: string;
  @ApiPropertyOptional({ enum: NETWORK_KEYS, description: 'STATUS: the line' }) network?: string;
  @ApiPropertyOptional({ description: 'STATUS: the status before' }) from?: string;
  @ApiPropertyOptional({ description: 'STATUS: the status after' }) to?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) reason?: string | null;
  @ApiPropertyOptional({ description: 'STATUS: who moved it' }) source?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'INVITE: its id' }) id?: string;
  @ApiPropertyOptional({ enum: ['APP_LINK', 'LOGIN_DETAILS'], description: 'INVITE: what it texts' })
  invite?: string;
  @ApiPropertyOptional({ enum: ['PENDING', 'SENT', 'FAILED'], description: 'INVITE' }) state?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'INVITE' })
  sentAt?: string | null;
}

export class UserHistoryResponse {
  @ApiProperty({ type: [UserHistoryEntryResponse] }) items!: UserHistoryEntryResponse[];
}
