-- never-committed.sql: entries that were written to a WAL but never committed: overwritten
-- by a later term (superseded: typically the tail of an isolated or deposed leader), or
-- beyond the last commit index the node knew of. The writes in them never happened as far
-- as the cluster is concerned, even if the client that sent them waited for an answer.
-- Parameters: :node  only this node (default: every node)
--   sqlite3 -cmd ".param set :node 'etcd-2'" incident.sqlite < never-committed.sql
SELECT e.node, e.idx, e.term, e.kind, e.key, e.request_id, e.proposer,
       e.superseded, e.superseded_by_term,
       n.commit_index AS node_commit_index,
       e.file, e.offset
  FROM entries e JOIN nodes n ON n.node = e.node
 WHERE e.committed = 0
   AND (:node IS NULL OR e.node = :node)
 ORDER BY e.node, e.idx, e.term;
