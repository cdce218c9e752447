import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { STATE_RECORD, toEventJson } from '../event-encoding';
import { OutboxRepository } from '../persistence/outbox.repository';
import { decodeCursor, encodeCursor, headCursor, refuseBeyondHead } from './events-cursor';
import { EventsPage } from './events-page.dto';

class EventsQuery {
  @ApiPropertyOptional({
    description:
      'nextCursor from the previous page, or eventsCursor from GET /v1/users; `latest` starts at the head ' +
      '(only events written from now on); omit to start at the oldest kept event. A cursor past the head is 400.',
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

/** "Changes since": the same events as Kafka, in the same order, for catching up or without Kafka. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly outbox: OutboxRepository) {}

  @Get()
  @ApiOkResponse({ type: EventsPage })
  async list(@Query() query: EventsQuery): Promise<EventsPage> {
    const xmin = await this.outbox.settledBelow();
    // The head: nothing yet, and the cursor to poll from.
    if (query.after === 'latest') return { items: [], nextCursor: encodeCursor(headCursor(xmin)) };
    const after = query.after ? decodeCursor(query.after) : undefined;
    if (after) refuseBeyondHead(after, xmin);
    const rows = await this.outbox.after(after, query.limit ?? 100, [STATE_RECORD]);
    const last = rows.at(-1);
    return {
      items: rows.map((row) => ({
        eventId: row.eventId,
        type: row.eventType,
        key: row.key,
        organizationId: row.organizationId,
        event: toEventJson(row) as Record<string, unknown>,
      })),
      // With no new events the cursor stays where it was, so polling can simply repeat.
      nextCursor: last ? encodeCursor({ txid: last.txid, id: last.id }) : after ? encodeCursor(after) : null,
    };
  }
}
