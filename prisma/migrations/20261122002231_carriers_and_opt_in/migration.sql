-- AlterTable
ALTER TABLE "network_lines" ADD COLUMN     "carrier_request_id" TEXT,
ADD COLUMN     "carrier_requested_at" TIMESTAMPTZ(3),
ADD COLUMN     "opt_in_last_sent_at" TIMESTAMPTZ(3),
ADD COLUMN     "opt_in_sends" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "opted_out" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "status_history" ADD COLUMN     "applied" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "line_sequence" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "webhook_receipts" (
    "source" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_receipts_pkey" PRIMARY KEY ("source","external_id")
);

-- CreateIndex
CREATE INDEX "webhook_receipts_received_at_idx" ON "webhook_receipts"("received_at");

-- CreateIndex
CREATE INDEX "network_lines_status_opt_in_last_sent_at_idx" ON "network_lines"("status", "opt_in_last_sent_at");

-- CreateIndex
CREATE INDEX "network_lines_carrier_requested_at_idx" ON "network_lines"("carrier_requested_at");
