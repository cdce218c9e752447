import { ApiProperty } from '@nestjs/swagger';

export class FeedEvent {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({
    description:
      'Full name of the protobuf message (the Kafka event-type header), e.g. mdn.provisioning.v1.NetworkStatusChanged',
  })
  type!: string;

  @ApiProperty({ description: 'The Kafka key: the user id' })
  key!: string;

  @ApiProperty({ format: 'uuid' })
  organizationId!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The message in canonical protobuf JSON (proto/mdn/provisioning/v1/events.proto)',
  })
  event!: Record<string, unknown>;
}

export class EventsPage {
  @ApiProperty({ type: [FeedEvent] })
  items!: FeedEvent[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Where the next page starts; null only when the feed is empty and no cursor was given',
  })
  nextCursor!: string | null;
}
