import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INDICATORS } from '../domain/indicator';
import { NETWORK_KEYS } from '../domain/networks';
import { NETWORK_STATUS_KEYS, TRANSITION_SOURCES } from '../domain/network-status';
import { USER_STATUS_LABELS } from '../domain/user-status';

/**
 * The response schemas of the lines module's routes (OpenAPI only: the views themselves
 * are built in queries/), so a typed client can be generated.
 */
export class LineViewDto {
  @ApiProperty({ enum: NETWORK_KEYS })
  network!: string;
  @ApiProperty({ example: 'Verizon' })
  networkName!: string;
  @ApiProperty({ enum: NETWORK_STATUS_KEYS })
  status!: string;
  @ApiProperty({ example: 'Opt-in Sent' })
  statusLabel!: string;
  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
  @ApiProperty({ enum: INDICATORS })
  indicator!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why RED' })
  indicatorReason!: string | null;
  @ApiProperty({ example: 'Verizon: Enabled · since 2026-10-01 · last seen 2026-10-02' })
  tooltip!: string;
  @ApiProperty({ format: 'date-time' })
  statusChangedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSeenAt!: string | null;
  @ApiProperty({ description: "The sequence of the line's last event (the feed's hand-over)" })
  sequence!: number;
}

export class UserViewDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  firstName!: string;
  @ApiProperty()
  lastName!: string;
  @ApiProperty()
  username!: string;
  @ApiProperty({ description: 'E.164' })
  mdn!: string;
  @ApiProperty()
  email!: string;
  @ApiProperty({ type: String, nullable: true })
  businessPhone!: string | null;
  @ApiProperty({ type: String, nullable: true })
  company!: string | null;
  @ApiProperty({ type: String, nullable: true })
  customerCode!: string | null;
  @ApiProperty({ type: String, nullable: true })
  udid!: string | null;
  @ApiProperty({ enum: Object.keys(USER_STATUS_LABELS) })
  status!: string;
  @ApiProperty({ type: String, nullable: true })
  serviceLevel!: string | null;
  @ApiProperty({ type: String, nullable: true })
  messagingAppVersion!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "The latest last-seen time over the user's lines (Last Seen); null if never seen",
  })
  lastSeenAt!: string | null;
  @ApiProperty({ format: 'date-time' })
  registeredAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ description: "The sequence of the user's last event" })
  sequence!: number;
  @ApiProperty({ type: [LineViewDto] })
  networks!: LineViewDto[];
}

export class UsersPageDto {
  @ApiProperty({ type: [UserViewDto] })
  items!: UserViewDto[];
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
  @ApiProperty({
    description:
      'GET /v1/events?after= this: every event settled before this page was read is reflected in it. ' +
      "Keep the first page's; skip events whose sequence the views already show.",
  })
  eventsCursor!: string;
}

export class HistoryEntryDto {
  @ApiProperty({ enum: NETWORK_STATUS_KEYS })
  from!: string;
  @ApiProperty({ enum: NETWORK_STATUS_KEYS })
  to!: string;
  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;
  @ApiProperty({ enum: TRANSITION_SOURCES })
  source!: string;
  @ApiProperty({ type: String, nullable: true })
  detail!: string | null;
  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;
  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
  @ApiProperty({ description: 'False for a move kept for the record but not applied' })
  applied!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why it was not applied' })
  unappliedReason!: string | null;
}

export class InviteViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['APP_LINK', 'LOGIN_DETAILS'] }) kind!: string;
  @ApiProperty({ enum: ['PENDING', 'SENT', 'FAILED'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
}

/** One entry of `GET /v1/users/:id/history`: a line's move (STATUS) or an invite (INVITE). */
export class UserHistoryEntryDto {
  @ApiProperty({ enum: ['STATUS', 'INVITE'] }) kind!: string;
  @ApiProperty({ format: 'date-time', description: 'When it happened (a move) or was asked for (an invite)' })
  at!: string;
  @ApiPropertyOptional({ enum: NETWORK_KEYS, description: 'STATUS: the line' }) network?: string;
  @ApiPropertyOptional({ description: 'STATUS: the status before' }) from?: string;
  @ApiPropertyOptional({ description: 'STATUS: the status after' }) to?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) reason?: string | null;
  @ApiPropertyOptional({ description: 'STATUS: who moved it' }) source?: string;
  @ApiPropertyOptional({ description: 'STATUS: false for a move kept for the record but not applied' })
  applied?: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'STATUS: why it was not applied' })
  unappliedReason?: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'INVITE: its id' }) id?: string;
  @ApiPropertyOptional({ enum: ['APP_LINK', 'LOGIN_DETAILS'], description: 'INVITE: what it texts' })
  invite?: string;
  @ApiPropertyOptional({ enum: ['PENDING', 'SENT', 'FAILED'], description: 'INVITE' }) state?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'INVITE' })
  sentAt?: string | null;
}

export class UserHistoryDto {
  @ApiProperty({ type: [UserHistoryEntryDto] }) items!: UserHistoryEntryDto[];
}

export const SUMMARY_SCHEMA = {
  type: 'object',
  description: 'Users per network (key) and indicator',
  additionalProperties: {
    type: 'object',
    properties: Object.fromEntries(INDICATORS.map((indicator) => [indicator, { type: 'integer' }])),
  },
} as const;
