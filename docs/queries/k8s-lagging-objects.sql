-- k8s-lagging-objects.sql: the Kubernetes objects a lagging member lacks: live in the db of
-- node :has, but absent from the db of node :lacks (never applied there, or deleted and
-- compacted) or deleted there (its newest revision on :lacks is a tombstone). `mod_revision`
-- and `create_revision` are :has's. Objects :lacks holds in an older version are not listed
-- (revisions-missing.sql lists every revision one node has and another lacks).
-- Parameters: :has, :lacks  node names
--   sqlite3 -cmd ".param set :has 'n2'" -cmd ".param set :lacks 'n1'" incident.sqlite < k8s-lagging-objects.sql
WITH h AS (SELECT * FROM k8s_objects WHERE node = :has AND deleted = 0),
l AS (SELECT key, deleted FROM k8s_objects WHERE node = :lacks)
SELECT h.key, h.api_group, h.resource, h.namespace, h.name, h.kind,
       CASE WHEN l.key IS NULL OR l.deleted IS NULL THEN 'absent' ELSE 'deleted' END AS on_lacking,
       x.create_revision, x.mod_revision
  FROM h
  LEFT JOIN l ON l.key = h.key
  LEFT JOIN revisions x ON x.node = h.node AND x.key = h.key AND x.source = 'db'
       AND x.main = (SELECT max(y.main) FROM revisions y WHERE y.node = h.node AND y.key = h.key AND y.source = 'db')
 WHERE l.key IS NULL OR l.deleted IS NOT 0
 ORDER BY h.resource, h.namespace, h.name;
