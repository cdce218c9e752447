-- CreateEnum
CREATE TYPE "ConsentEntryKind" AS ENUM ('TEXT_SENT', 'REPLY_RECEIVED', 'CONSENT_GIVEN', 'CONSENT_REVOKED', 'REMINDER_SENT', 'HELP_ANSWERED', 'CONFIRMATION_SENT', 'DELIVERY_REPORTED', 'ROUND_RESTARTED');

-- CreateEnum
CREATE TYPE "ConsentSource" AS ENUM ('SUBSCRIBER', 'ADMIN', 'CARRIER', 'SYSTEM');

-- AlterTable
ALTER TABLE "network_lines" ADD COLUMN     "consent_given_at" TIMESTAMPTZ(3),
ADD COLUMN     "consent_reminded_at" TIMESTAMPTZ(3),
ADD COLUMN     "opt_in_delivery_problem" TEXT,
ADD COLUMN     "opt_in_undelivered" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reminder_lease_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "consent_entries" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "line_id" UUID NOT NULL,
    "mdn_hash" TEXT NOT NULL,
    "kind" "ConsentEntryKind" NOT NULL,
    "source" "ConsentSource" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "message_text" TEXT,
    "template_version" TEXT,
    "gateway_message_id" TEXT,
    "delivery_status" TEXT,
    "delivery_reason" TEXT,
    "refers_to" BIGINT,
    "reply_text" TEXT,
    "reply_reading" TEXT,
    "actor" TEXT,
    "dedupe_key" TEXT NOT NULL,
    "prev_hash" TEXT,
    "hash" TEXT NOT NULL,

    CONSTRAINT "consent_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_templates" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "opt_in_text" TEXT NOT NULL,
    "help_text" TEXT NOT NULL,
    "opt_in_confirmation" TEXT NOT NULL,
    "opt_out_confirmation" TEXT NOT NULL,
    "reminder_text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,

    CONSTRAINT "consent_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subscriber_texts" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "line_id" UUID NOT NULL,
    "kind" "ConsentEntryKind" NOT NULL,
    "text" TEXT NOT NULL,
    "template_version" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "trace_parent" TEXT,

    CONSTRAINT "subscriber_texts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "consent_entries_dedupe_key_key" ON "consent_entries"("dedupe_key");

-- CreateIndex
CREATE INDEX "consent_entries_organization_id_id_idx" ON "consent_entries"("organization_id", "id");

-- CreateIndex
CREATE INDEX "consent_entries_organization_id_line_id_id_idx" ON "consent_entries"("organization_id", "line_id", "id");

-- CreateIndex
CREATE INDEX "consent_entries_line_id_id_idx" ON "consent_entries"("line_id", "id");

-- CreateIndex
CREATE INDEX "consent_entries_gateway_message_id_idx" ON "consent_entries"("gateway_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "consent_templates_organization_id_version_key" ON "consent_templates"("organization_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "subscriber_texts_key_key" ON "subscriber_texts"("key");

-- CreateIndex
CREATE INDEX "subscriber_texts_due_at_idx" ON "subscriber_texts"("due_at");

-- CreateIndex
CREATE INDEX "network_lines_consent_given_at_idx" ON "network_lines"("consent_given_at");


-- Row-level security as on every table holding an organisation's data (one policy per role,
-- as in the organization_policies migration).
ALTER TABLE "consent_entries" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "consent_entries" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "consent_entries" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "consent_entries" TO mdn_system USING (true);

ALTER TABLE "consent_templates" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "consent_templates" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "consent_templates" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "consent_templates" TO mdn_system USING (true);

ALTER TABLE "subscriber_texts" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "subscriber_texts" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "subscriber_texts" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "subscriber_texts" TO mdn_system USING (true);

-- The ledger is append-only for the service. Its roles may read and insert only (start-up
-- grants the same: src/database/application-role.ts), and this trigger refuses an UPDATE
-- from anyone, and a DELETE from anyone but the purge function below (which runs as the
-- tables' owner): so even a grant given back by mistake changes nothing.
GRANT SELECT, INSERT ON "consent_entries" TO mdn_app, mdn_system;
REVOKE UPDATE, DELETE, TRUNCATE ON "consent_entries" FROM mdn_app, mdn_system;

CREATE FUNCTION consent_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('mdn.consent_purge', true) = 'on'
     AND current_user NOT IN ('mdn_app', 'mdn_system') THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'consent_entries is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER "consent_entries_append_only" BEFORE UPDATE OR DELETE ON "consent_entries"
  FOR EACH ROW EXECUTE FUNCTION consent_entries_append_only();
CREATE TRIGGER "consent_entries_no_truncate" BEFORE TRUNCATE ON "consent_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION consent_entries_append_only();

-- Retention: a line's record is removed whole once its newest entry is older than the
-- cut-off and the consent it records does not stand (its last consent entry is not a
-- CONSENT_GIVEN on a line whose user is still live). SECURITY DEFINER: it runs as the
-- owner, the only one the trigger lets delete. The service's roles may only call it.
CREATE FUNCTION purge_consent_entries(cutoff timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  removed bigint;
BEGIN
  PERFORM set_config('mdn.consent_purge', 'on', true);
  WITH expired AS (
    SELECT e.line_id
    FROM consent_entries e
    GROUP BY e.line_id
    HAVING max(e.occurred_at) < cutoff
       AND NOT (
         (array_agg(e.kind ORDER BY e.id DESC)
            FILTER (WHERE e.kind IN ('CONSENT_GIVEN', 'CONSENT_REVOKED')))[1] IS NOT DISTINCT FROM 'CONSENT_GIVEN'
         AND EXISTS (
           SELECT 1 FROM network_lines l JOIN users u ON u.id = l.user_id
           WHERE l.id = e.line_id AND u.status <> 'DELETED' AND NOT l.opted_out))
  ), gone AS (
    DELETE FROM consent_entries c USING expired x WHERE c.line_id = x.line_id RETURNING 1
  )
  SELECT count(*) INTO removed FROM gone;
  PERFORM set_config('mdn.consent_purge', 'off', true);
  RETURN removed;
END $$;
REVOKE ALL ON FUNCTION purge_consent_entries(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_consent_entries(timestamptz) TO mdn_system;
