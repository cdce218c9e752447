-- AlterTable
ALTER TABLE "webhook_receipts" ADD COLUMN     "webhook_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "webhook_receipts_source_webhook_id_key" ON "webhook_receipts"("source", "webhook_id");
