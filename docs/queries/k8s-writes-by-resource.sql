-- k8s-writes-by-resource.sql: which Kubernetes resource and namespace wrote most in a time
-- window (the minutes before an outage): committed entries writing objects under the
-- Kubernetes prefix, per resource and namespace, by entries.approx_time (UTC). `writes` leaves
-- out the apiserver txns whose compare failed (`failed_cas`: written to the log, changed
-- nothing); a txn whose outcome is not known counts as a write. Counted per node; without
-- :node each row is the node that holds the most (committed logs agree, a lagging one has less).
-- Parameters: :since, :until  the window [since, until) in UTC, any form SQLite's date
--                             functions read ('2026-12-05T14:27:18Z'); NULL: unbounded
--             :node           one node (NULL: every node)
--   sqlite3 -cmd ".param set :since '2026-12-05T14:27:18Z'" -cmd ".param set :until '2026-12-05T14:27:49Z'" \
--           incident.sqlite < k8s-writes-by-resource.sql
WITH e AS (
  SELECT node, max(k8s_group) AS api_group, k8s_resource AS resource, k8s_namespace AS namespace,
         sum(txn_applied IS NOT 0) AS writes,
         sum(txn_applied = 0 AND txn_op IN ('create', 'update', 'delete')) AS failed_cas,
         count(DISTINCT key) AS objects, min(approx_time) AS first_time, max(approx_time) AS last_time
    FROM entries
   WHERE committed AND k8s_resource IS NOT NULL AND (:node IS NULL OR node = :node)
     AND (:since IS NULL OR approx_time >= strftime('%Y-%m-%dT%H:%M:%fZ', :since))
     AND (:until IS NULL OR approx_time < strftime('%Y-%m-%dT%H:%M:%fZ', :until))
   GROUP BY node, resource, namespace),
r AS (
  SELECT *, row_number() OVER (PARTITION BY resource, namespace
                               ORDER BY writes + failed_cas DESC, node) AS rn
    FROM e)
SELECT api_group, resource, namespace, writes, failed_cas, objects, first_time, last_time, node
  FROM r
 WHERE rn = 1
 ORDER BY writes DESC, failed_cas DESC, resource, namespace;
