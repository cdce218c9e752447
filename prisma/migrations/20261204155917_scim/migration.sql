-- AlterEnum
ALTER TYPE "TransitionSource" ADD VALUE 'SCIM';

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "external_id" TEXT;

-- CreateTable
CREATE TABLE "scim_tokens" (
    "organization_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scim_tokens_pkey" PRIMARY KEY ("organization_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "scim_tokens_token_hash_key" ON "scim_tokens"("token_hash");

-- CreateIndex
-- Live users only, as usernames: a deleted user's externalId is free again.
CREATE UNIQUE INDEX "users_live_external_id_key" ON "users"("organization_id", "external_id") WHERE "status" <> 'DELETED';

-- Directories look users up by email (emails[value eq "..."]), compared case-folded.
CREATE INDEX "users_organization_id_lower_email_idx" ON "users"("organization_id", lower("email"));

-- AddForeignKey
ALTER TABLE "scim_tokens" ADD CONSTRAINT "scim_tokens_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security as on every table holding an organisation's data. The token is
-- looked up by its hash across organisations (before the request knows whose it is).
ALTER TABLE "scim_tokens" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "scim_tokens" FORCE ROW LEVEL SECURITY;
CREATE POLICY "organization_scope" ON "scim_tokens"
  USING (current_setting('app.all_organizations', true) = 'on' OR "organization_id" = (NULLIF(current_setting('app.organization_id', true), ''))::uuid);
