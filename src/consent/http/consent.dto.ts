import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { CONSENT_ENTRY_KINDS, CONSENT_SOURCES } from '../domain/consent-entry';

export class ConsentEntryDto {
  @ApiProperty({ description: 'Ledger order (a 64-bit integer, as a string)', example: '42' }) id!: string;
  @ApiProperty({ format: 'uuid' }) lineId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ description: 'HMAC-SHA256 of the E.164 number (CONSENT_MDN_HASH_KEY)' }) mdnHash!: string;
  @ApiProperty({ enum: CONSENT_ENTRY_KINDS }) kind!: string;
  @ApiProperty({ enum: CONSENT_SOURCES }) source!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The exact text sent' }) messageText!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The wording version it was sent with' })
  templateVersion!: string | null;
  @ApiProperty({ nullable: true, type: String }) gatewayMessageId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'ACCEPTED on a text; DELIVERED, UNDELIVERED or FAILED on a receipt',
  })
  deliveryStatus!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'roaming' }) deliveryReason!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The entry a receipt answers' }) refersTo!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The subscriber’s raw reply' }) replyText!:
    string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['YES', 'HELP', 'STOP_KEYWORD', 'STOP_PHRASE', 'INVALID'],
    description: 'How the reply was read',
  })
  replyReading!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The administrator, for ADMIN entries' })
  actor!: string | null;
  @ApiProperty({ nullable: true, type: String }) prevHash!: string | null;
  @ApiProperty() hash!: string;
}

export class ConsentLedgerDto {
  @ApiProperty({ enum: ['GIVEN', 'REVOKED', 'NONE'], description: 'What the newest consent entry says' })
  consent!: string;
  @ApiProperty({ type: [ConsentEntryDto], description: 'Oldest first' }) entries!: ConsentEntryDto[];
}

export class ChainCheckDto {
  @ApiProperty() intact!: boolean;
  @ApiProperty() entries!: number;
  @ApiPropertyOptional({ description: 'The first entry that does not hold' }) brokenAt?: string;
  @ApiPropertyOptional() why?: string;
}

export class ConsentExportQuery {
  @ApiPropertyOptional({ enum: ['csv', 'json'], default: 'csv' })
  @IsOptional()
  @IsIn(['csv', 'json'])
  format?: 'csv' | 'json';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries that occurred at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries that occurred before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class ConsentWordingDto {
  @ApiProperty({ description: 'The opt-in text: must ask for YES and say how to opt out (STOP)' })
  @IsString()
  optInText!: string;
  @ApiProperty({ description: 'The answer to HELP: business name, how to opt out, a contact' })
  @IsString()
  helpText!: string;
  @ApiProperty() @IsString() optInConfirmation!: string;
  @ApiProperty() @IsString() optOutConfirmation!: string;
  @ApiProperty() @IsString() reminderText!: string;
}

export class ConsentTemplateDto extends ConsentWordingDto {
  @ApiProperty({ description: 'Recorded with every text sent in this wording' }) versionId!: string;
  @ApiProperty({ description: '0: the built-in wording' }) version!: number;
}

export class NewRoundDto {
  @ApiProperty({
    description: 'Why a new opt-in round is started after the subscriber revoked (kept in the ledger)',
  })
  @IsString()
  @MaxLength(500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}
