-- k8s-hot-objects.sql: hot Kubernetes objects: per object, its writes and its compare-and-swap
-- conflicts (kube-apiserver txns whose compare failed: the writer read a stale revision and
-- retried; a hot loop shows as many of them on one object), from the committed entries,
-- optionally in a time window of entries.approx_time (UTC). Counted per node; without :node
-- each row is the node that holds the most.
-- Parameters: :since, :until  the window [since, until) in UTC ('2026-12-05T14:27:18Z'); NULL: unbounded
--             :node           one node (NULL: every node)
--             :limit          rows (NULL: 20)
--   sqlite3 incident.sqlite < k8s-hot-objects.sql
WITH e AS (
  SELECT node, key, max(k8s_group) AS api_group, max(k8s_resource) AS resource,
         max(k8s_namespace) AS namespace, max(k8s_name) AS name, max(k8s_kind) AS kind,
         sum(txn_applied IS NOT 0) AS writes,
         sum(txn_applied = 0 AND txn_op IN ('create', 'update', 'delete')) AS failed_cas,
         min(approx_time) AS first_time, max(approx_time) AS last_time
    FROM entries
   WHERE committed AND k8s_resource IS NOT NULL AND (:node IS NULL OR node = :node)
     AND (:since IS NULL OR approx_time >= strftime('%Y-%m-%dT%H:%M:%fZ', :since))
     AND (:until IS NULL OR approx_time < strftime('%Y-%m-%dT%H:%M:%fZ', :until))
   GROUP BY node, key),
r AS (
  SELECT *, row_number() OVER (PARTITION BY key ORDER BY failed_cas DESC, writes DESC, node) AS rn FROM e)
SELECT key, api_group, resource, namespace, name, kind, writes, failed_cas, first_time, last_time, node
  FROM r
 WHERE rn = 1
 ORDER BY failed_cas DESC, writes DESC, key
 LIMIT COALESCE(:limit, 20);
