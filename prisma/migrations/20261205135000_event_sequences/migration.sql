-- Events a consumer can check for loss: each line and each user gets a sequence that moves
-- exactly when an event about it is written (network_lines.sequence stays the optimistic
-- version, which also moves for flow bookkeeping and sightings that publish nothing).
-- event_txid is the id of the transaction that wrote the last event: a writer with an
-- older id may not write the next one (see src/outbox/relay/outbox-relay.ts).
ALTER TABLE "network_lines" ADD COLUMN "event_sequence" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "event_txid" BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN "event_last_seen_at" TIMESTAMPTZ(3);
-- Sequences already published stay below the next one: a consumer sees one jump here, then none.
UPDATE "network_lines" SET "event_sequence" = "sequence", "event_last_seen_at" = "last_seen_at";

ALTER TABLE "users" ADD COLUMN "event_sequence" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "event_txid" BIGINT NOT NULL DEFAULT 0;

-- Why a move kept in the history was not applied (null when it was).
ALTER TABLE "status_history" ADD COLUMN "unapplied_reason" TEXT;
