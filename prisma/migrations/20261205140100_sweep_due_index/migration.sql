-- The staleness sweep reads only the lines that may turn ORANGE: neither ORANGE already
-- nor RED (a RED line cannot turn ORANGE), in last-seen order. Its cost then follows the
-- lines due, not the table.
CREATE INDEX "network_lines_sweep_due_idx" ON "network_lines" ("last_seen_at", "id")
  WHERE "indicator" NOT IN ('ORANGE', 'RED');
