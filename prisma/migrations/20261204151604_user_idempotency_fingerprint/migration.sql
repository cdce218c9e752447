-- AlterTable
ALTER TABLE "users" ADD COLUMN     "idempotency_fingerprint" TEXT;
