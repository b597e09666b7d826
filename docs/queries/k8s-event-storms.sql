-- k8s-event-storms.sql: event storms: Kubernetes Events created (kube-apiserver create txns
-- that succeeded, or whose outcome is not known, on keys of resource `events`) per namespace
-- and UTC minute of entries.approx_time, from the committed entries; the busiest first.
-- Entries without a time are left out. Counted per node; without :node each row is the node
-- that holds the most.
-- Parameters: :node  one node (NULL: every node)
--             :min   list only minutes with at least this many events (NULL: 1)
--   sqlite3 -cmd '.param set :min 50' incident.sqlite < k8s-event-storms.sql
WITH e AS (
  SELECT node, k8s_namespace AS namespace, substr(approx_time, 1, 16) AS minute, count(*) AS created
    FROM entries
   WHERE committed AND k8s_resource = 'events' AND txn_op = 'create' AND txn_applied IS NOT 0
     AND approx_time IS NOT NULL AND (:node IS NULL OR node = :node)
   GROUP BY node, namespace, minute),
r AS (
  SELECT *, row_number() OVER (PARTITION BY namespace, minute ORDER BY created DESC, node) AS rn FROM e)
SELECT namespace, minute, created, node
  FROM r
 WHERE rn = 1 AND created >= COALESCE(:min, 1)
 ORDER BY created DESC, minute, namespace;
