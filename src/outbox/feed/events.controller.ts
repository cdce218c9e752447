import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { toEventJson } from '../event-encoding';
import { OutboxRepository, type Cursor } from '../persistence/outbox.repository';

class EventsQuery {
  @ApiPropertyOptional({
    description: 'nextCursor from the previous page; omit to start at the oldest kept event',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  after?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** "Changes since": the same events as Kafka, for catching up or without Kafka. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly outbox: OutboxRepository) {}

  @Get()
  async list(@Query() query: EventsQuery) {
    const rows = await this.outbox.after(
      query.after ? decodeCursor(query.after) : undefined,
      query.limit ?? 100,
    );
    const last = rows.at(-1);
    return {
      items: rows.map((row) => ({
        eventId: row.eventId,
        type: row.eventType,
        key: row.key,
        organizationId: row.organizationId,
        event: toEventJson(row),
      })),
      // With no new events the cursor stays where it was, so polling can simply repeat.
      nextCursor: last ? encodeCursor(last.txid, last.id) : (query.after ?? null),
    };
  }
}

function encodeCursor(txid: bigint, id: bigint): string {
  return Buffer.from(`${txid}.${id}`).toString('base64url');
}

/** Both parts are PostgreSQL bigints; anything else was not given out by this API. */
const MAX_BIGINT = 2n ** 63n - 1n;

function decodeCursor(cursor: string): Cursor {
  const match = /^(\d{1,19})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const decoded = match ? { txid: BigInt(match[1]), id: BigInt(match[2]) } : undefined;
  if (!decoded || decoded.txid > MAX_BIGINT || decoded.id > MAX_BIGINT) {
    throw new ValidationFailedError([{ field: 'after', reason: 'is not a cursor this API gave out' }]);
  }
  return decoded;
}
