-- describe_table reports DynamoDB's TableSizeBytes and ItemCount for the
-- table, and IndexSizeBytes and ItemCount for each index.  Like DynamoDB's
-- (refreshed about every six hours) they are approximate and cheap: the
-- size is pg_total_relation_size() of the table (heap, TOAST, its primary
-- key) or of the index table, the count pg_class.reltuples, which VACUUM,
-- ANALYZE and autovacuum keep current.
SET client_min_messages = warning;
CREATE SCHEMA describe_sizes_test;
SET search_path = describe_sizes_test, public;
SELECT singletable.create_table('app');
SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK');
CREATE FUNCTION sizes(d jsonb) RETURNS TABLE (what text, item_count jsonb, bytes_match boolean)
LANGUAGE sql AS $$
	SELECT 'table', d -> 'ItemCount',
	       (d ->> 'TableSizeBytes')::bigint = pg_total_relation_size(format('%I.%I', d ->> 'SchemaName', d ->> 'TableName'))
	UNION ALL
	SELECT g ->> 'IndexName', g -> 'ItemCount',
	       (g ->> 'IndexSizeBytes')::bigint = pg_total_relation_size(format('%I.%I', d ->> 'SchemaName', g ->> 'IndexTableName'))
	  FROM jsonb_array_elements(d -> 'GlobalSecondaryIndexes') g
$$;

-- Before any ANALYZE the counts are 0, as for a new DynamoDB table.
SELECT * FROM sizes(singletable.describe_table('app'));

-- 100 items, 60 of them in the index; ANALYZE (or autovacuum) counts them.
INSERT INTO app (item)
SELECT jsonb_build_object('PK', 'USER#' || i, 'SK', 'PROFILE', 'pad', repeat('x', 200))
       || CASE WHEN i <= 60 THEN jsonb_build_object('GSI1PK', 'ORG#' || i % 4, 'GSI1SK', 'USER#' || i) ELSE '{}' END
  FROM generate_series(1, 100) i;
ANALYZE app, "app__GSI1";
SELECT * FROM sizes(singletable.describe_table('app'));
SELECT (singletable.describe_table('app') ->> 'TableSizeBytes')::bigint >
       (singletable.describe_table('app') -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexSizeBytes')::bigint AS table_larger;

-- The same through execute('DescribeTable').
SELECT * FROM sizes(singletable.execute('DescribeTable', '{"TableName": "describe_sizes_test.app"}') -> 'Table');

-- Deleting items shrinks the count when VACUUM or ANALYZE next runs.
DELETE FROM app WHERE pk LIKE 'USER#1%';
SELECT * FROM sizes(singletable.describe_table('app'));
VACUUM app, "app__GSI1";
SELECT * FROM sizes(singletable.describe_table('app'));

DROP SCHEMA describe_sizes_test CASCADE;
