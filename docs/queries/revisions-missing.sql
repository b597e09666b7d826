-- revisions-missing.sql: MVCC revisions (main.sub) present in one node's db but not in
-- another's: a lagging member, a member restored from an old backup, compaction that ran on
-- one side only, or revisions lost to damage. Compare `node_missing`'s revision and
-- compact_revision in the nodes table to tell lag/compaction from loss.
-- Parameters: :has, :missing  node names (default: every ordered pair)
--   sqlite3 -cmd ".param set :has 'n1'" -cmd ".param set :missing 'n2'" incident.sqlite < revisions-missing.sql
SELECT h.node AS node_has, m.node AS node_missing, r.main, r.sub, r.tombstone, r.key,
       m.revision AS missing_node_revision, m.compact_revision AS missing_node_compact_revision
  FROM nodes h
  JOIN nodes m ON m.node <> h.node AND m.db_file IS NOT NULL
  JOIN revisions r ON r.node = h.node
 WHERE (:has IS NULL OR h.node = :has)
   AND (:missing IS NULL OR m.node = :missing)
   AND NOT EXISTS (SELECT 1 FROM revisions o WHERE o.node = m.node AND o.main = r.main AND o.sub = r.sub)
 ORDER BY h.node, m.node, r.main, r.sub;
