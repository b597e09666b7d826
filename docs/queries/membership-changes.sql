-- membership-changes.sql: membership changes over time (raft conf change entries), in log
-- order, with the nodes whose WAL holds each one and whether it was committed. A member's
-- name and peer URLs come from the member JSON the entry carries (absent for removals and
-- for learners added before they first started).
-- Parameters: none.
--   sqlite3 incident.sqlite < membership-changes.sql
SELECT c.idx, c.term, c.change, c.member_id,
       max(c.name) AS name, max(c.peer_urls) AS peer_urls, max(c.is_learner) AS is_learner,
       max(c.committed) AS committed, max(c.superseded) AS superseded,
       group_concat(c.node, ',') AS nodes,
       (SELECT t.leader FROM terms t WHERE t.term = c.term) AS term_leader
  FROM conf_changes c
 GROUP BY c.idx, c.term, c.change, c.member_id
 ORDER BY c.idx, c.term;
