-- lease-revoke-deletes.sql: which keys a lease revoke deleted. A lease_revoke entry (a lease
-- expired, or `etcdctl lease revoke`) deletes every key attached to the lease in one revision
-- (entries.revision, from the replay); the keys are the tombstones at that revision.
-- `key_lease` is the lease of the key's put before the tombstone (the revoked one when the
-- db or the WAL still holds that put). Revokes that deleted nothing are not listed.
-- Parameters: :node   one node (NULL: every node)
--             :lease  the lease ID in hex as etcd prints it (NULL: every revoke)
--   sqlite3 -cmd ".param set :lease '7307a24699349aa8'" incident.sqlite < lease-revoke-deletes.sql
SELECT e.node, e.idx, e.term, substr(e.detail, 7) AS lease, e.revision, r.sub, r.key,
       r.k8s_resource AS resource, r.k8s_namespace AS namespace, r.k8s_name AS name,
       (SELECT p.lease FROM revisions p
         WHERE p.node = r.node AND p.key = r.key AND p.main < r.main AND NOT p.tombstone
         ORDER BY p.main DESC, p.sub DESC LIMIT 1) AS key_lease,
       r.source
  FROM entries e
  JOIN revisions r ON r.node = e.node AND r.main = e.revision AND r.tombstone
 WHERE e.kind = 'lease_revoke' AND e.detail LIKE 'lease=%' AND e.revision IS NOT NULL
   AND (:node IS NULL OR e.node = :node) AND (:lease IS NULL OR substr(e.detail, 7) = lower(:lease))
 ORDER BY e.node, e.idx, r.sub;
