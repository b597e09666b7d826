-- election-storms.sql: runs of consecutive failed elections (a term was campaigned for, votes
-- were persisted, but no node holds an entry of it: no leader ever got elected), with the term
-- that finally elected a leader. A storm usually means members that cannot keep a leader's
-- heartbeats: paused processes (GC, SIGSTOP, VM steal), disk stalls, or network flaps.
-- Parameters: :min_run  shortest run to report (default 1)
--   sqlite3 -cmd '.param set :min_run 2' incident.sqlite < election-storms.sql
WITH t AS (
  SELECT term, failed_election, leader,
         SUM(failed_election = 0) OVER (ORDER BY term ROWS UNBOUNDED PRECEDING) AS grp
    FROM terms),
runs AS (
  SELECT grp, min(term) AS first_term, max(term) AS last_term, count(*) AS failed_elections
    FROM t WHERE failed_election GROUP BY grp)
SELECT r.first_term, r.last_term, r.failed_elections,
       (SELECT min(t.term) FROM t WHERE t.term > r.last_term AND t.failed_election = 0) AS next_term,
       (SELECT t.leader FROM t WHERE t.term > r.last_term AND t.failed_election = 0
         ORDER BY t.term LIMIT 1) AS next_leader
  FROM runs r
 WHERE r.failed_elections >= COALESCE(:min_run, 1)
 ORDER BY r.first_term;
