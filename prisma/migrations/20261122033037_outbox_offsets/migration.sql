-- CreateTable
CREATE TABLE "outbox_offsets" (
    "name" TEXT NOT NULL,
    "txid" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "outbox_offsets_pkey" PRIMARY KEY ("name")
);

-- The relay published in (txid, id) order: its mark is the last event marked sent.
INSERT INTO "outbox_offsets" ("name", "txid", "id", "updated_at")
SELECT 'outbox-relay', "txid", "id", now() FROM "outbox_events"
WHERE "sent_at" IS NOT NULL ORDER BY "txid" DESC, "id" DESC LIMIT 1;

-- DropIndex
DROP INDEX "outbox_events_sent_at_txid_id_idx";

-- AlterTable
ALTER TABLE "outbox_events" DROP COLUMN "sent_at";
