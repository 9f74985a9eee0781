-- read_stream returns a set of jsonb events, in the FROM clause and in the
-- select list (materialized once, whichever the executor asks for).
CREATE SCHEMA eventstore_read_set;
SET search_path = eventstore_read_set, public;
SELECT singletable.create_table('events');
SELECT singletable.append_events('events', 'S#1',
	'[{"eventType": "A"}, {"eventType": "B"}, {"eventType": "C"}]', 0);

-- in the FROM clause, with its ordinality
SELECT n, e->>'eventType' AS type, e->'eventVersion' AS v
  FROM singletable.read_stream('events', 'S#1') WITH ORDINALITY AS r(e, n);
-- in the select list, backward from version 2
SELECT singletable.read_stream('events', 'S#1', 2, forward => false)->>'eventType' AS type;
-- in the select list beside another set: rows paired up by position
SELECT singletable.read_stream('events', 'S#1')->'eventVersion' AS v,
       generate_series(1, 3) AS g;
-- an empty stream: no rows
SELECT count(*) FROM singletable.read_stream('events', 'S#none');
-- a lateral read per stream
SELECT s, count(e)
  FROM (VALUES ('S#1'), ('S#none')) AS v(s)
  LEFT JOIN LATERAL singletable.read_stream('events', s) AS e ON true
 GROUP BY s ORDER BY s;

DROP SCHEMA eventstore_read_set CASCADE;
