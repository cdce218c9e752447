-- Organisations: every user belongs to exactly one, and every row that holds an
-- organisation's data carries its id, so that row-level security can filter it.

-- CreateTable
CREATE TABLE "organizations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations"("slug");

-- The organisation existing rows move to (and the embedded default acts for). Its id is
-- fixed, so the README can name it: npm run db:migrate prints it too.
INSERT INTO "organizations" ("id", "name", "slug")
VALUES ('00000000-0000-4000-8000-000000000001', 'Default organization', 'default');

-- Every table that holds an organisation's data gets its id, filled from the user.
ALTER TABLE "users" ADD COLUMN "organization_id" UUID;
UPDATE "users" SET "organization_id" = '00000000-0000-4000-8000-000000000001';
ALTER TABLE "users" ALTER COLUMN "organization_id" SET NOT NULL;

ALTER TABLE "network_lines" ADD COLUMN "organization_id" UUID;
UPDATE "network_lines" l SET "organization_id" = u."organization_id" FROM "users" u WHERE u."id" = l."user_id";
ALTER TABLE "network_lines" ALTER COLUMN "organization_id" SET NOT NULL;

ALTER TABLE "status_history" ADD COLUMN "organization_id" UUID;
UPDATE "status_history" h SET "organization_id" = l."organization_id" FROM "network_lines" l WHERE l."id" = h."line_id";
ALTER TABLE "status_history" ALTER COLUMN "organization_id" SET NOT NULL;

-- Events are keyed by user id: their user's organisation, or the default one for events
-- of users no longer stored.
ALTER TABLE "outbox_events" ADD COLUMN "organization_id" UUID;
UPDATE "outbox_events" e SET "organization_id" = u."organization_id" FROM "users" u WHERE u."id"::text = e."key";
UPDATE "outbox_events" SET "organization_id" = '00000000-0000-4000-8000-000000000001' WHERE "organization_id" IS NULL;
ALTER TABLE "outbox_events" ALTER COLUMN "organization_id" SET NOT NULL;

-- Idempotency keys are a principal's own, and a principal acts within one organisation.
-- Inserts take the organisation the transaction acts for.
ALTER TABLE "idempotency_keys" ADD COLUMN "organization_id" UUID;
UPDATE "idempotency_keys" SET "organization_id" = '00000000-0000-4000-8000-000000000001';
ALTER TABLE "idempotency_keys" ALTER COLUMN "organization_id" SET NOT NULL;
ALTER TABLE "idempotency_keys" ALTER COLUMN "organization_id" SET DEFAULT (NULLIF(current_setting('app.organization_id', true), ''))::uuid;
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_pkey";
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("organization_id", "principal", "key");

-- Uniqueness, per organisation and among live users only (a deleted user's username,
-- number and customer code are free again). Usernames compare case-folded. A number
-- belongs to one live user across all organisations: carriers call back by number.
DROP INDEX "users_username_key";
DROP INDEX "users_mdn_key";
DROP INDEX "users_customer_code_key";
DROP INDEX "users_idempotency_key_key";
CREATE UNIQUE INDEX "users_live_username_key" ON "users"("organization_id", lower("username")) WHERE "status" <> 'DELETED';
CREATE UNIQUE INDEX "users_live_mdn_key" ON "users"("mdn") WHERE "status" <> 'DELETED';
CREATE UNIQUE INDEX "users_live_customer_code_key" ON "users"("organization_id", "customer_code") WHERE "status" <> 'DELETED';
CREATE INDEX "users_mdn_idx" ON "users"("mdn");
CREATE UNIQUE INDEX "users_organization_id_idempotency_key_key" ON "users"("organization_id", "idempotency_key");
CREATE UNIQUE INDEX "users_id_organization_id_key" ON "users"("id", "organization_id");
CREATE INDEX "users_organization_id_id_idx" ON "users"("organization_id", "id");
CREATE UNIQUE INDEX "network_lines_id_organization_id_key" ON "network_lines"("id", "organization_id");
CREATE INDEX "network_lines_organization_id_network_status_last_seen_at_idx" ON "network_lines"("organization_id", "network", "status", "last_seen_at");
CREATE INDEX "outbox_events_organization_id_txid_id_idx" ON "outbox_events"("organization_id", "txid", "id");

-- A line belongs to its user's organisation, and a history row to its line's: the
-- foreign keys include the organisation, so the database refuses a mismatch.
ALTER TABLE "users" ADD CONSTRAINT "users_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "network_lines" DROP CONSTRAINT "network_lines_user_id_fkey";
ALTER TABLE "network_lines" ADD CONSTRAINT "network_lines_user_id_organization_id_fkey" FOREIGN KEY ("user_id", "organization_id") REFERENCES "users"("id", "organization_id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "status_history" DROP CONSTRAINT "status_history_line_id_fkey";
ALTER TABLE "status_history" ADD CONSTRAINT "status_history_line_id_organization_id_fkey" FOREIGN KEY ("line_id", "organization_id") REFERENCES "network_lines"("id", "organization_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security, the second wall behind the application's own filters. Every
-- transaction says whom it acts for (src/database/data-scope.ts): one organisation
-- (app.organization_id), or all of them on a path that says so (app.all_organizations,
-- background jobs and carrier callbacks). A query that forgets its filter, or runs with
-- neither set, sees and writes nothing. FORCE makes the policies hold for the tables'
-- owner too, and the application acts as a role that is not a superuser (see database.ts).
ALTER TABLE "organizations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "organizations" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "organizations"
  USING (current_setting('app.all_organizations', true) = 'on' OR "id" = (NULLIF(current_setting('app.organization_id', true), ''))::uuid);

ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "users" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "users"
  USING (current_setting('app.all_organizations', true) = 'on' OR "organization_id" = (NULLIF(current_setting('app.organization_id', true), ''))::uuid);

ALTER TABLE "network_lines" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "network_lines" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "network_lines"
  USING (current_setting('app.all_organizations', true) = 'on' OR "organization_id" = (NULLIF(current_setting('app.organization_id', true), ''))::uuid);

ALTER TABLE "status_history" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "status_history" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "status_history"
  USING (current_setting('app.all_organizations', true) = 'on' OR "organization_id" = (NULLIF(current_setting('app.organization_id', true), ''))::uuid);

ALTER TABLE "outbox_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "outbox_events" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "outbox_events"
  USING (current_setting('app.all_organizations', true) = 'on' OR "organization_id" = (NULLIF(current_setting('app.organization_id', true), ''))::uuid);

ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "idempotency_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "idempotency_keys"
  USING (current_setting('app.all_organizations', true) = 'on' OR "organization_id" = (NULLIF(current_setting('app.organization_id', true), ''))::uuid);
