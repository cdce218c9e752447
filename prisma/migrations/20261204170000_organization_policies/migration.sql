-- Row-level security, planned well. The first policies ORed "acting across organisations"
-- into each row's check: the planner then could not see that the check equals the
-- application's own organization_id filter, multiplied the two estimates (128 rows
-- expected of an organisation's 10,000) and walked the wrong plan (3 to 29 times slower
-- lists at 1,000,000 users in 100 organisations). Now each policy belongs to one role:
-- mdn_app (requests, one organisation each) compares organization_id with the setting
-- read once per statement (a scalar subquery, an InitPlan), which the planner merges
-- with the application's filter. mdn_system (work across organisations on purpose: jobs,
-- callbacks) sees every row. Neither role may bypass row-level security.
DO $$
BEGIN
  BEGIN
    CREATE ROLE mdn_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  BEGIN
    CREATE ROLE mdn_system NOLOGIN NOSUPERUSER NOBYPASSRLS;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
END $$;

DROP POLICY "organization_scope" ON "organizations";
CREATE POLICY "organization_scope" ON "organizations" TO mdn_app
  USING ("id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "organizations" TO mdn_system USING (true);

DROP POLICY "organization_scope" ON "users";
CREATE POLICY "organization_scope" ON "users" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "users" TO mdn_system USING (true);

DROP POLICY "organization_scope" ON "network_lines";
CREATE POLICY "organization_scope" ON "network_lines" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "network_lines" TO mdn_system USING (true);

DROP POLICY "organization_scope" ON "status_history";
CREATE POLICY "organization_scope" ON "status_history" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "status_history" TO mdn_system USING (true);

DROP POLICY "organization_scope" ON "outbox_events";
CREATE POLICY "organization_scope" ON "outbox_events" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "outbox_events" TO mdn_system USING (true);

DROP POLICY "organization_scope" ON "idempotency_keys";
CREATE POLICY "organization_scope" ON "idempotency_keys" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "idempotency_keys" TO mdn_system USING (true);

DROP POLICY "organization_scope" ON "scim_tokens";
CREATE POLICY "organization_scope" ON "scim_tokens" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "scim_tokens" TO mdn_system USING (true);
