-- AlterTable
ALTER TABLE "network_lines" ADD COLUMN     "trace_parent" TEXT;

-- AlterTable
ALTER TABLE "outbox_events" ADD COLUMN     "trace_parent" TEXT;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "lookup_trace_parent" TEXT;
