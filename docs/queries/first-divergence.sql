-- first-divergence.sql: the first raft index at which two nodes hold different entries
-- (different term, or same term with different data: CRC-32C of the entry payload). Only
-- surviving entries count (superseded ones were replaced in the log etcd would replay).
-- committed_a/b tell whether the differing entry was committed on each side: a committed
-- divergence breaks raft's log matching property (restore from the majority); an
-- uncommitted one is what an isolated leader leaves behind and is repaired by raft.
-- Parameters: :a, :b  two node names (default: every pair of nodes)
--   sqlite3 -cmd ".param set :a 'n1'" -cmd ".param set :b 'n3'" incident.sqlite < first-divergence.sql
WITH d AS (
  SELECT a.node AS node_a, b.node AS node_b, a.idx,
         a.term AS term_a, b.term AS term_b,
         a.data_crc32c AS crc_a, b.data_crc32c AS crc_b,
         a.committed AS committed_a, b.committed AS committed_b
    FROM entries a
    JOIN entries b ON b.idx = a.idx AND b.node > a.node
   WHERE a.superseded = 0 AND b.superseded = 0
     AND (a.term <> b.term OR a.data_crc32c <> b.data_crc32c)
     AND (:a IS NULL OR (a.node = :a AND b.node = :b) OR (a.node = :b AND b.node = :a)))
SELECT node_a, node_b, min(idx) AS first_divergent_index,
       term_a, term_b, term_a = term_b AS same_term, committed_a, committed_b
  FROM d
 GROUP BY node_a, node_b
 ORDER BY first_divergent_index, node_a, node_b;
