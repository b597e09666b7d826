-- k8s-largest-objects.sql: the Kubernetes objects that use the most of a db: per object (the
-- k8s_objects view) its live value's size, the revisions the db keeps of it (history since the
-- last compaction) and their bytes. Counted per node; without :node each row is the node
-- where the object uses the most.
-- Parameters: :by     'bytes' (default: all kept revisions' value bytes), 'size' (the live
--                     value), 'history' (revisions kept)
--             :node   one node (NULL: every node)
--             :limit  rows (NULL: 20)
--   sqlite3 -cmd ".param set :by 'history'" incident.sqlite < k8s-largest-objects.sql
WITH o AS (
  SELECT o.*,
         CASE WHEN o.deleted = 0 THEN
           (SELECT x.value_size FROM revisions x
             WHERE x.node = o.node AND x.key = o.key AND x.source = 'db'
             ORDER BY x.main DESC, x.sub DESC LIMIT 1) END AS live_size
    FROM k8s_objects o
   WHERE (:node IS NULL OR o.node = :node) AND o.revisions_kept > 0),
r AS (
  SELECT *, row_number() OVER (PARTITION BY key ORDER BY bytes DESC, revisions_kept DESC, node) AS rn FROM o)
SELECT key, api_group, resource, namespace, name, kind, live_size, revisions_kept, bytes, deleted, node
  FROM r
 WHERE rn = 1
 ORDER BY CASE COALESCE(:by, 'bytes') WHEN 'size' THEN COALESCE(live_size, -1)
                                      WHEN 'history' THEN revisions_kept ELSE bytes END DESC,
          bytes DESC, key
 LIMIT COALESCE(:limit, 20);
