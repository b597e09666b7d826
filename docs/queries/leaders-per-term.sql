-- leaders-per-term.sql: the leader of every term, and the failed elections before it.
-- One row per term: who led it (inferred from the votes in the WALs: raft persists a
-- HardState {term, vote} before acting on a vote), its index range, and how many failed
-- elections (terms with votes but no entry on any node) came right before it.
-- Parameters: none.
--   sqlite3 incident.sqlite < leaders-per-term.sql
WITH t AS (
  SELECT terms.*,
         SUM(failed_election = 0) OVER (ORDER BY term ROWS UNBOUNDED PRECEDING) AS grp
    FROM terms)
SELECT t.term,
       t.leader,
       (SELECT group_concat(DISTINCT n.node) FROM nodes n WHERE n.member_id = t.leader) AS leader_node,
       t.first_index, t.last_index, t.entries, t.failed_election,
       (SELECT group_concat(v.voter || '>' || v.voted_for, ',') FROM votes v WHERE v.term = t.term) AS votes,
       CASE WHEN t.failed_election = 0
            THEN (SELECT count(*) FROM t t2 WHERE t2.grp = t.grp - 1 AND t2.failed_election)
       END AS failed_elections_before
  FROM t
 ORDER BY t.term;
