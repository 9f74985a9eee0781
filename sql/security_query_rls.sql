-- Security: query and scan read through SQL when row-level security applies
-- to the caller (so that policies are honoured).  That SQL must not be
-- redirected by the caller's search_path: every read below runs first under
-- a plain search_path, then under one where schema "evil" shadows the
-- comparison operators, and must return the same.  (The other entry points
-- are covered by sql/security.sql.)
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE SCHEMA security_test;
SET search_path = security_test;
CREATE ROLE st_sec_owner;
CREATE ROLE st_sec_tenant_a;
GRANT USAGE ON SCHEMA security_test TO st_sec_owner, st_sec_tenant_a;
GRANT CREATE ON SCHEMA security_test TO st_sec_owner;
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
DO $$
DECLARE
	t text;
	op text;
BEGIN
	FOREACH t IN ARRAY ARRAY['text', 'numeric', 'bytea'] LOOP
		EXECUTE format('CREATE FUNCTION evil.cmp(a pg_catalog.%1$s, b pg_catalog.%1$s) RETURNS boolean '
					   'LANGUAGE plpgsql AS $f$BEGIN RAISE EXCEPTION ''hijacked: evil operator on %1$s''; END$f$', t);
		FOREACH op IN ARRAY ARRAY['=', '<>', '<', '<=', '>', '>='] LOOP
			EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = pg_catalog.%s, RIGHTARG = pg_catalog.%2$s, FUNCTION = evil.cmp)', op, t);
		END LOOP;
	END LOOP;
END
$$;
CREATE COLLATION evil."C" (locale = 'C');

SET ROLE st_sec_owner;
SELECT singletable.create_table('app');
SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.create_table('nums', partition_key => 'id', partition_key_type => 'N', sort_key => 'at', sort_key_type => 'B');
SELECT singletable.put_item('app', jsonb_build_object('PK', 'TENANT#a#USER#' || i, 'SK', 'PROFILE',
	'GSI1PK', 'STATUS#open', 'GSI1SK', 'a' || i)) FROM generate_series(1, 3) i;
SELECT singletable.put_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE", "GSI1PK": "STATUS#open", "GSI1SK": "b1"}');
SELECT singletable.put_item('nums', jsonb_build_object('id', i % 2, 'at', jsonb_build_object('$B', encode(int4send(i), 'base64')))) FROM generate_series(1, 4) i;
GRANT SELECT ON app, "app__GSI1", nums TO st_sec_tenant_a;
ALTER TABLE app ENABLE ROW LEVEL SECURITY;
ALTER TABLE "app__GSI1" ENABLE ROW LEVEL SECURITY;
ALTER TABLE nums ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_a ON app TO st_sec_tenant_a USING (pk LIKE 'TENANT#a#%');
CREATE POLICY tenant_a ON "app__GSI1" TO st_sec_tenant_a USING (pk LIKE 'TENANT#a#%');
CREATE POLICY tenant_a ON nums TO st_sec_tenant_a USING (pk OPERATOR(pg_catalog.>) 0);
RESET ROLE;

SET ROLE st_sec_tenant_a;
CREATE FUNCTION pg_temp.reads() RETURNS SETOF jsonb LANGUAGE sql AS $$
	SELECT singletable.query('security_test.app', 'PK = :p AND begins_with(SK, :s)',
		"values" => '{":p": "TENANT#a#USER#2", ":s": "PRO"}')
	UNION ALL
	SELECT singletable.query('security_test.app', 'PK = :p AND SK BETWEEN :a AND :b',
		"values" => '{":p": "TENANT#b#USER#1", ":a": "A", ":b": "Z"}')
	UNION ALL
	SELECT singletable.query('security_test.app', 'GSI1PK = :g AND GSI1SK >= :k',
		"values" => '{":g": "STATUS#open", ":k": "a"}', index => 'GSI1', "limit" => 1)
	UNION ALL
	SELECT singletable.query('security_test.app', 'GSI1PK = :g AND GSI1SK < :k',
		"values" => '{":g": "STATUS#open", ":k": "z"}', index => 'GSI1', "limit" => 1, forward => false,
		start_key => '{"GSI1PK": "STATUS#open", "GSI1SK": "a3", "PK": "TENANT#a#USER#3", "SK": "PROFILE"}')
	UNION ALL
	SELECT singletable.scan('security_test.app', "limit" => 1,
		start_key => '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}')
	UNION ALL
	SELECT singletable.scan('security_test.app', index => 'GSI1', segment => 0, total_segments => 1)
	UNION ALL
	SELECT singletable.query('security_test.nums', 'id = :i AND #at <= :b',
		names => '{"#at": "at"}', "values" => '{":i": 1, ":b": {"$B": "AAAAAw=="}}')
$$;
SELECT pg_temp.reads();
SET search_path = evil, pg_catalog, security_test;
SELECT pg_temp.reads();
RESET search_path;
RESET ROLE;

DROP FUNCTION pg_temp.reads();
DROP SCHEMA security_test CASCADE;
DROP SCHEMA evil CASCADE;
DROP ROLE st_sec_owner, st_sec_tenant_a;
