-- key-history.sql: every revision of one key on every node, side by side. `agree` counts
-- the nodes holding this revision with the same value (CRC-32C); a revision whose value
-- differs between nodes is a state divergence (bbolt has no page checksums, so a flipped
-- byte in a value is only visible this way or through HashKV). Since schema 3 the history
-- reaches past compaction: revisions the db compacted away that a node's WAL still holds are
-- rows with source 'wal' (what the WAL wrote), the others source 'db'.
-- Parameters: :key  the key (TEXT for UTF-8 keys, else a blob literal x'...')
--   sqlite3 -cmd ".param set :key '/app/config/k1'" incident.sqlite < key-history.sql
SELECT r.main, r.sub, r.node, r.tombstone, r.create_revision, r.mod_revision, r.version,
       r.lease, r.value_size, r.value_crc32c,
       (SELECT count(*) FROM revisions o
         WHERE o.main = r.main AND o.sub = r.sub AND o.key = r.key
           AND o.value_crc32c IS r.value_crc32c AND o.tombstone = r.tombstone) AS agree,
       (SELECT count(*) FROM revisions o
         WHERE o.main = r.main AND o.sub = r.sub AND o.key = r.key) AS holders,
       r.source
  FROM revisions r
 WHERE r.key = :key
 ORDER BY r.main, r.sub, r.node;
