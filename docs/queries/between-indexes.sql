-- between-indexes.sql: what happened between two raft indexes (inclusive): every entry any
-- node wrote there (identical entries on several nodes collapse into one row listing the
-- nodes), plus the timeline rows (elections, membership changes, snapshots, superseded
-- entries, findings) in that range.
-- Parameters: :from, :to  raft indexes (defaults: the whole log)
--   sqlite3 -cmd '.param set :from 1200' -cmd '.param set :to 1300' incident.sqlite < between-indexes.sql
SELECT idx, term, 'entry' AS source, kind AS what,
       COALESCE(CAST(key AS TEXT), '') AS key,
       max(superseded) AS superseded, min(committed) AS committed_everywhere,
       group_concat(node, ',') AS nodes
  FROM entries
 WHERE idx BETWEEN COALESCE(:from, 0) AND COALESCE(:to, 9223372036854775807)
 GROUP BY idx, term, kind, key, data_crc32c
UNION ALL
SELECT idx, term, source, event, detail, NULL, NULL, node
  FROM timeline
 WHERE source <> 'entry'
   AND idx BETWEEN COALESCE(:from, 0) AND COALESCE(:to, 9223372036854775807)
 ORDER BY idx, term, source, what;
