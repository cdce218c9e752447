-- The Task Center: background imports and exports, and their files.
CREATE TYPE "TaskState" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "state" "TaskState" NOT NULL DEFAULT 'QUEUED',
    "params" JSONB NOT NULL DEFAULT '{}',
    "requested_by" TEXT NOT NULL,
    "request_key" TEXT,
    "request_fingerprint" TEXT,
    "rows_read" INTEGER NOT NULL DEFAULT 0,
    "rows_checked" INTEGER NOT NULL DEFAULT 0,
    "rows_done" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "task_files" (
    "task_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "chunk" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "task_files_pkey" PRIMARY KEY ("task_id", "name", "chunk")
);

-- Newest first: ids are UUIDv7, in the order tasks were asked.
CREATE INDEX "tasks_organization_id_id_idx" ON "tasks"("organization_id", "id" DESC);
CREATE INDEX "tasks_organization_id_request_key_idx" ON "tasks"("organization_id", "request_key");
CREATE INDEX "tasks_state_lease_until_idx" ON "tasks"("state", "lease_until");
CREATE INDEX "tasks_expires_at_idx" ON "tasks"("expires_at");

ALTER TABLE "tasks" ADD CONSTRAINT "tasks_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "task_files" ADD CONSTRAINT "task_files_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security as on every table holding an organisation's data (see
-- 20261204170000_organization_policies): requests see their organisation's tasks, the
-- runner and the clean-up (mdn_system) all of them.
ALTER TABLE "tasks" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tasks" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "tasks" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "tasks" TO mdn_system USING (true);

ALTER TABLE "task_files" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "task_files" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "task_files" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "task_files" TO mdn_system USING (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON "tasks", "task_files" TO mdn_app, mdn_system;
