-- damage-by-file.sql: every problem found in the inputs, by node, file and byte offset, so
-- each can be checked with a hex editor (e.g. `xxd -s OFFSET -l 64 FILE`). Files are relative
-- to the node's path (inside the archive for archives). The WAL record that starts at the
-- damaged offset, if one was read there, is shown too.
-- Parameters: :node      only this node (default: every node)
--             :severity  minimum severity: info, warning (default) or error
--   sqlite3 -cmd ".param set :severity 'error'" incident.sqlite < damage-by-file.sql
SELECT p.node, p.file, p.offset, p.length, p.layer, p.severity, p.kind, p.message,
       (SELECT w.record_type || ' crc_ok=' || COALESCE(w.crc_ok, '-')
          FROM wal_records w
         WHERE w.node = p.node AND w.file = p.file AND w.offset = p.offset) AS wal_record_there
  FROM problems p
 WHERE (:node IS NULL OR p.node = :node)
   AND (CASE p.severity WHEN 'error' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END)
       >= (CASE COALESCE(:severity, 'warning') WHEN 'error' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END)
 ORDER BY p.node, p.file, p.offset;
