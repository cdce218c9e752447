-- AlterTable
ALTER TABLE "webhook_receipts" ADD COLUMN     "completed_at" TIMESTAMPTZ(3);

-- Receipts kept before this migration were for deliveries already processed.
UPDATE "webhook_receipts" SET "completed_at" = "received_at";
