-- The user's last_seen_at follows its lines only when a line's sighting is set or moves.
-- Before, the trigger ran (an UPDATE of users with a max over the user's lines) for every
-- line inserted, sighting or not, and for every UPDATE that named last_seen_at: an import
-- of 100,000 users paid 100,000 of them for nothing (426 s instead of about 51 s).
DROP TRIGGER "network_lines_last_seen" ON "network_lines";

CREATE TRIGGER "network_lines_last_seen_insert" AFTER INSERT ON "network_lines"
  FOR EACH ROW WHEN (NEW.last_seen_at IS NOT NULL)
  EXECUTE FUNCTION users_follow_line_last_seen();

CREATE TRIGGER "network_lines_last_seen_update" AFTER UPDATE OF "last_seen_at" ON "network_lines"
  FOR EACH ROW WHEN (OLD.last_seen_at IS DISTINCT FROM NEW.last_seen_at)
  EXECUTE FUNCTION users_follow_line_last_seen();
