-- CreateEnum
CREATE TYPE "UserStatus" AS ENUM ('ACTIVE', 'SUSPENDED', 'DELETED', 'LOCKED');

-- CreateEnum
CREATE TYPE "NetworkStatus" AS ENUM ('NO_STATUS', 'NOT_COMMUNICATING', 'DISABLED', 'ENABLED', 'NEW_REQUEST', 'OPT_IN_SENT', 'OPT_IN_RESPONSE_RECEIVED', 'INVALID_OPT_IN_RESPONSE', 'PENDING_PROVISIONING', 'UNABLE_TO_PROVISION');

-- CreateEnum
CREATE TYPE "Indicator" AS ENUM ('GREEN', 'ORANGE', 'RED', 'NONE');

-- CreateEnum
CREATE TYPE "TransitionSource" AS ENUM ('API', 'CARRIER_CALLBACK', 'OPT_IN_REPLY', 'OPT_IN_SEND', 'SWEEP', 'SYSTEM');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "mdn" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "business_phone" TEXT,
    "company" TEXT,
    "customer_code" TEXT,
    "udid" TEXT,
    "status" "UserStatus" NOT NULL DEFAULT 'ACTIVE',
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "network_lines" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "network" TEXT NOT NULL,
    "status" "NetworkStatus" NOT NULL DEFAULT 'NO_STATUS',
    "reason" TEXT,
    "status_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "indicator" "Indicator" NOT NULL DEFAULT 'NONE',

    CONSTRAINT "network_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "status_history" (
    "id" UUID NOT NULL,
    "line_id" UUID NOT NULL,
    "from_status" "NetworkStatus" NOT NULL,
    "to_status" "NetworkStatus" NOT NULL,
    "reason" TEXT,
    "source" "TransitionSource" NOT NULL,
    "detail" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "status_history_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "users_mdn_key" ON "users"("mdn");

-- CreateIndex
CREATE UNIQUE INDEX "users_customer_code_key" ON "users"("customer_code");

-- CreateIndex
CREATE INDEX "users_status_idx" ON "users"("status");

-- CreateIndex
CREATE INDEX "network_lines_network_status_last_seen_at_idx" ON "network_lines"("network", "status", "last_seen_at");

-- CreateIndex
CREATE UNIQUE INDEX "network_lines_user_id_network_key" ON "network_lines"("user_id", "network");

-- CreateIndex
CREATE INDEX "status_history_line_id_occurred_at_idx" ON "status_history"("line_id", "occurred_at" DESC);

-- AddForeignKey
ALTER TABLE "network_lines" ADD CONSTRAINT "network_lines_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "status_history" ADD CONSTRAINT "status_history_line_id_fkey" FOREIGN KEY ("line_id") REFERENCES "network_lines"("id") ON DELETE CASCADE ON UPDATE CASCADE;
