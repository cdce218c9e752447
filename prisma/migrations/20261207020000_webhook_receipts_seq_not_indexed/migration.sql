-- Arrival order is only ever read among pending deliveries, through the two partial
-- pending indexes, and the sequence alone makes it unique. The unique index on every
-- receipt cost an index entry at intake and another at completion (which is not a HOT
-- update: it takes the row out of the partial indexes), for no reader.
DROP INDEX "webhook_receipts_seq_key";
