-- Task files (uploads, errors files, exports) are written in 1 MB chunks that a task
-- waits on, and read back whole. PostgreSQL's default compression (pglz) took about 10 ms
-- to store such a chunk of an export and lz4 about 2.5 ms, for files a quarter larger.
-- A server built without lz4 (PGlite is) keeps the default.
DO $$
BEGIN
  ALTER TABLE "task_files" ALTER COLUMN "data" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available here: task files keep the default compression';
END
$$;
