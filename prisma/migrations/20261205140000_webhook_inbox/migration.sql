-- The webhook inbox: a delivery is stored whole in the request that receives it and
-- applied later, in order per number, by a background worker on any replica. The receipt
-- row that already deduplicated deliveries becomes the inbox entry.
ALTER TABLE "webhook_receipts"
  ADD COLUMN "seq" BIGSERIAL NOT NULL,
  ADD COLUMN "payload" JSONB,
  ADD COLUMN "order_key" TEXT,
  ADD COLUMN "due_at" TIMESTAMPTZ(3),
  ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "outcome" TEXT,
  ADD COLUMN "trace_parent" TEXT;

-- Receipts from before the inbox carry no payload: their work was done (or is retried by
-- its sender, whose copy now lands in the inbox as a new delivery once this one is gone).
UPDATE "webhook_receipts" SET "completed_at" = "received_at", "outcome" = 'before_inbox'
  WHERE "completed_at" IS NULL;

CREATE UNIQUE INDEX "webhook_receipts_seq_key" ON "webhook_receipts" ("seq");
-- What the worker claims: pending deliveries in arrival order ...
CREATE INDEX "webhook_receipts_pending_idx" ON "webhook_receipts" ("seq") WHERE "completed_at" IS NULL;
-- ... each only once no earlier pending delivery about the same number is left.
CREATE INDEX "webhook_receipts_pending_key_idx" ON "webhook_receipts" ("order_key", "seq") WHERE "completed_at" IS NULL;
