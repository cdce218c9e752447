-- CreateEnum
CREATE TYPE "DesiredState" AS ENUM ('PROVISIONED', 'DISABLED');

-- CreateEnum
CREATE TYPE "InFlightKind" AS ENUM ('OPT_IN_TEXT', 'CARRIER_REQUEST');

-- CreateEnum
CREATE TYPE "InFlightPhase" AS ENUM ('SENDING', 'ACCEPTED');

-- DropIndex
DROP INDEX "network_lines_carrier_requested_at_idx";

-- AlterTable
ALTER TABLE "network_lines" ADD COLUMN     "begun_round" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "desired" "DesiredState",
ADD COLUMN     "desired_at" TIMESTAMPTZ(3),
ADD COLUMN     "inflight_key" TEXT,
ADD COLUMN     "inflight_kind" "InFlightKind",
ADD COLUMN     "inflight_phase" "InFlightPhase",
ADD COLUMN     "inflight_since" TIMESTAMPTZ(3),
ADD COLUMN     "reconcile_at" TIMESTAMPTZ(3),
ADD COLUMN     "round" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "settled_at" TIMESTAMPTZ(3);

-- The outstanding carrier request, from its two nullable columns to one named state:
-- a key with no request time was never taken (SENDING), with one the carrier owes an answer.
UPDATE "network_lines" SET
  "inflight_kind" = 'CARRIER_REQUEST',
  "inflight_phase" = CASE WHEN "carrier_requested_at" IS NULL THEN 'SENDING' ELSE 'ACCEPTED' END::"InFlightPhase",
  "inflight_key" = "carrier_request_id",
  "inflight_since" = COALESCE("carrier_requested_at", "status_changed_at")
WHERE "carrier_request_id" IS NOT NULL;

-- Lines part-way through provisioning were being driven from request memory: they now
-- carry the intent, and the reconciler takes them up at once. (A line with No Status was
-- never asked for: it stays as it is until someone provisions it.)
UPDATE "network_lines" SET
  "desired" = 'PROVISIONED', "desired_at" = "status_changed_at", "round" = 1, "begun_round" = 1,
  "reconcile_at" = CURRENT_TIMESTAMP
WHERE "status" IN ('NEW_REQUEST', 'OPT_IN_SENT', 'INVALID_OPT_IN_RESPONSE', 'OPT_IN_RESPONSE_RECEIVED', 'PENDING_PROVISIONING')
   OR "inflight_kind" IS NOT NULL;

ALTER TABLE "network_lines" DROP COLUMN "carrier_request_id", DROP COLUMN "carrier_requested_at";

-- What is in flight is all there or not at all.
ALTER TABLE "network_lines" ADD CONSTRAINT "network_lines_inflight_whole" CHECK (
  ("inflight_kind" IS NULL) = ("inflight_phase" IS NULL)
  AND ("inflight_kind" IS NULL) = ("inflight_key" IS NULL)
  AND ("inflight_kind" IS NULL) = ("inflight_since" IS NULL));

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "idempotency_key" TEXT,
ADD COLUMN     "lookup_due_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "network_lines_reconcile_at_idx" ON "network_lines"("reconcile_at");

-- CreateIndex
CREATE UNIQUE INDEX "users_idempotency_key_key" ON "users"("idempotency_key");

-- CreateIndex
CREATE INDEX "users_lookup_due_at_idx" ON "users"("lookup_due_at");

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "principal" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status_code" INTEGER,
    "content_type" TEXT,
    "body" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("principal","key")
);

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");
