-- Search, sort and invites for the console's User Management at a million users.

-- Trigram search. pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may
-- create it, and the embedded database loads it as a contrib extension (embedded-extensions.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- What `q` is matched against, in one lower-cased text: the full name in both orders
-- (so "grace hamilton" and "hamilton grace" are both substrings), the username, the
-- email and the MDN's digits (E.164 without its "+": the query's number is reduced to
-- digits too, see src/lines/domain/user-search.ts). A unit separator between fields, so a match
-- rarely spans two of them.
CREATE FUNCTION user_search_text(first_name text, last_name text, username text, email text, mdn text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(first_name || ' ' || last_name || ' ' || first_name || chr(31) || username || chr(31)
    || email || chr(31) || ltrim(mdn, '+'))
$$;
CREATE INDEX "users_search_trgm" ON "users"
  USING gin (user_search_text("first_name", "last_name", "username", "email", "mdn") gin_trgm_ops);

-- The user's lines' latest sighting, kept on the user so the list can sort by it.
ALTER TABLE "users" ADD COLUMN "last_seen_at" TIMESTAMPTZ(3),
  ADD COLUMN "service_level" TEXT,
  ADD COLUMN "messaging_app_version" TEXT;

-- Kept in step by the database itself whenever a line's last_seen_at is written (a
-- sighting, a callback, an import, a directory): no write path can forget it. Recomputed
-- over the user's lines (at most one per network), so a line moved back is followed too.
CREATE FUNCTION users_follow_line_last_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users u SET last_seen_at = latest.at
  FROM (SELECT max(l.last_seen_at) AS at FROM network_lines l WHERE l.user_id = NEW.user_id) latest
  WHERE u.id = NEW.user_id AND u.last_seen_at IS DISTINCT FROM latest.at;
  RETURN NULL;
END
$$;
CREATE TRIGGER "network_lines_last_seen" AFTER INSERT OR UPDATE OF "last_seen_at" ON "network_lines"
  FOR EACH ROW EXECUTE FUNCTION users_follow_line_last_seen();

-- Backfill as the tables' owner, which row-level security (FORCEd) would otherwise hide
-- every row from: lifted for this statement only, inside the migration's transaction.
ALTER TABLE "users" NO FORCE ROW LEVEL SECURITY;
ALTER TABLE "network_lines" NO FORCE ROW LEVEL SECURITY;
UPDATE "users" u SET "last_seen_at" = latest.at
FROM (SELECT user_id, max(last_seen_at) AS at FROM network_lines GROUP BY user_id) latest
WHERE u.id = latest.user_id AND latest.at IS NOT NULL;
ALTER TABLE "users" FORCE ROW LEVEL SECURITY;
ALTER TABLE "network_lines" FORCE ROW LEVEL SECURITY;

-- One index per sort, within an organisation, with the id as the tie-break the cursors use.
CREATE INDEX "users_org_last_name_id" ON "users" ("organization_id", lower("last_name"), "id");
CREATE INDEX "users_org_username_id" ON "users" ("organization_id", lower("username"), "id");
CREATE INDEX "users_org_registered_at_id" ON "users" ("organization_id", "registered_at", "id");
-- Never seen sorts as the oldest: first ascending, last descending.
CREATE INDEX "users_org_last_seen_id" ON "users"
  ("organization_id", COALESCE("last_seen_at", '-infinity'::timestamptz), "id");

-- Invites: the app link (or the login details) texted to a user. The request records it, and
-- the invite sender sends it (its id is the gateway's idempotency key).
CREATE TYPE "InviteKind" AS ENUM ('APP_LINK', 'LOGIN_DETAILS');

CREATE TABLE "user_invites" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "InviteKind" NOT NULL,
    "mdn" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "due_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "trace_parent" TEXT,

    CONSTRAINT "user_invites_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "user_invites_user_id_requested_at_idx" ON "user_invites"("user_id", "requested_at" DESC);
CREATE INDEX "user_invites_due_at_idx" ON "user_invites"("due_at");
ALTER TABLE "user_invites" ADD CONSTRAINT "user_invites_user_id_organization_id_fkey"
  FOREIGN KEY ("user_id", "organization_id") REFERENCES "users"("id", "organization_id")
  ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "user_invites" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "user_invites" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "user_invites" TO mdn_app
  USING ("organization_id" = (SELECT (NULLIF(current_setting('app.organization_id', true), ''))::uuid));
CREATE POLICY "across_organizations" ON "user_invites" TO mdn_system USING (true);
-- Grants: application-role.ts grants every table to both roles at start-up.
