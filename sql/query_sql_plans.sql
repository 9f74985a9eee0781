-- The SQL reads of query (taken under row-level security, and on a table
-- Citus distributes) keep their plans per statement text and parameter
-- types (plans.c, st_sql_plan).  A table dropped and created again under the
-- same name with other key types gives the same text with other types; more
-- shapes than the cache holds empty it; both must still read right.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE SCHEMA qp;
CREATE ROLE st_qp_owner;
GRANT USAGE, CREATE ON SCHEMA qp TO st_qp_owner;
SET ROLE st_qp_owner;
SET search_path = qp;
CREATE FUNCTION qp.make(pk_type text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM singletable.create_table('qp.t', partition_key => 'id', partition_key_type => pk_type,
		sort_key => NULL);
	ALTER TABLE qp.t ENABLE ROW LEVEL SECURITY;
	ALTER TABLE qp.t FORCE ROW LEVEL SECURITY;
	CREATE POLICY everything ON qp.t USING (true);
END $$;
SELECT qp.make('N');
SELECT singletable.put_item('t', jsonb_build_object('id', i)) FROM generate_series(1, 3) i;
SELECT singletable.query('t', 'id = :v', "values" => '{":v": 2}');
SELECT singletable.drop_table('t');
SELECT qp.make('B');
SELECT singletable.put_item('t', jsonb_build_object('id', jsonb_build_object('$B', encode(int4send(i), 'base64')))) FROM generate_series(1, 3) i;
-- the same statement text as above, a bytea parameter now
SELECT singletable.query('t', 'id = :v', "values" => jsonb_build_object(':v', jsonb_build_object('$B', encode(int4send(2), 'base64'))));
-- 70 more texts (each limit is another LIMIT) than the cache's 64, then the first again
SELECT count(*) FROM generate_series(1, 70) n
 WHERE singletable.query('t', 'id = :v', "values" => jsonb_build_object(':v', jsonb_build_object('$B', encode(int4send(3), 'base64'))),
                         "limit" => n)->'Count' = '1';
SELECT singletable.query('t', 'id = :v', "values" => jsonb_build_object(':v', jsonb_build_object('$B', encode(int4send(1), 'base64'))));
RESET ROLE;
DROP SCHEMA qp CASCADE;
DROP OWNED BY st_qp_owner;
DROP ROLE st_qp_owner;
