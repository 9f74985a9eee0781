-- DynamoDB's table and index names: 3 to 255 of a-z A-Z 0-9 _ - ".", whatever
-- Postgres's 63-byte identifiers (a longer name is kept in the catalog and
-- its relation gets a shortened name), a leading dot, and dots that are not
-- a schema.  Every operation through execute() and through the SQL
-- functions (singletable.table_named() gives their regclass argument).
SET client_min_messages = warning;
CREATE SCHEMA fidelity_names;
CREATE SCHEMA fn_other;
SET search_path = fidelity_names, public;

\set keys '"KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}]'

-- The names of this test: 3, 63, 64, 200 and 255 characters, a leading dot,
-- a dash, dots with and without an existing schema.
CREATE TEMP TABLE names (label text, name text);
INSERT INTO names VALUES
	('3', 'abc'),
	('63', 'T63-' || repeat('a', 59)),
	('64', 'T64-' || repeat('b', 60)),
	('200', 'T200.' || repeat('c', 195)),
	('255', 'T255_' || repeat('d', 250)),
	('leading dot', '.hidden'),
	('dash', 'my-table'),
	('dots, no such schema', 'prod.orders.v2'),
	('dot, a schema', 'fn_other.kept');

-- CreateTable with raise_errors => false: every one is created (no 3F000
-- for prod.orders.v2), the TableName as written.  fn_other.kept is the 0.1
-- reading (schema fn_other exists): table "kept" in that schema.
SELECT n.label, length(n.name) AS len,
       r #>> '{TableDescription,TableName}' = n.name AS same_name,
       r #>> '{TableDescription,TableName}' AS table_name,
       r #>> '{TableDescription,SchemaName}' AS schema_name,
       r #>> '{TableDescription,TableArn}' = 'arn:aws:dynamodb:ddblocal:000000000000:table/' || n.name AS arn_ok,
       r ? '__type' AS error
  FROM names n,
       LATERAL singletable.execute('CreateTable',
         ('{"TableName": "' || n.name || '", ' || :'keys' || '}')::jsonb, raise_errors => false) r;

-- The relations: named after the table up to 63 bytes, shortened with a
-- hash beyond; the catalog keeps the long names.
SELECT n.label, length(c.relname) AS relname_len, c.relname = n.name AS named_after,
       t.name IS NOT NULL AS name_kept
  FROM names n
  JOIN singletable.tables t ON t.relid = singletable.table_named(n.name)
  JOIN pg_class c ON c.oid = t.relid
 ORDER BY length(n.name), n.label;
SELECT relname FROM pg_class WHERE oid = singletable.table_named((SELECT name FROM names WHERE label = '200'));

-- CreateTable of an existing name: ResourceInUseException.
SELECT singletable.execute('CreateTable', ('{"TableName": "' || name || '", ' || :'keys' || '}')::jsonb,
                           raise_errors => false) AS again
  FROM names WHERE label = '255';

-- ListTables: DynamoDB names in byte order, pages resume by name.
SELECT singletable.execute('ListTables', '{}') -> 'TableNames' AS names;
SELECT singletable.execute('ListTables', '{"Limit": 3}') AS first_page;
SELECT singletable.execute('ListTables', jsonb_build_object('ExclusiveStartTableName', name, 'Limit', 2)) AS next_page
  FROM names WHERE label = '200';

--
-- Every operation on the 200-character name through execute().
--
SELECT name AS t FROM names WHERE label = '200' \gset
SELECT singletable.execute('PutItem', jsonb_build_object('TableName', :'t',
         'Item', '{"PK": {"S": "u#1"}, "SK": {"S": "a"}, "n": {"N": "1"}, "g": {"S": "x"}}'::jsonb,
         'ReturnConsumedCapacity', 'TOTAL')) #>> '{ConsumedCapacity,TableName}' = :'t' AS put_capacity_names_table;
SELECT singletable.execute('GetItem', jsonb_build_object('TableName', :'t',
         'Key', '{"PK": {"S": "u#1"}, "SK": {"S": "a"}}'::jsonb)) AS get;
SELECT singletable.execute('UpdateItem', jsonb_build_object('TableName', :'t',
         'Key', '{"PK": {"S": "u#1"}, "SK": {"S": "a"}}'::jsonb, 'UpdateExpression', 'SET n = n + :one',
         'ExpressionAttributeValues', '{":one": {"N": "1"}}'::jsonb, 'ReturnValues', 'UPDATED_NEW')) AS updated;
SELECT singletable.execute('Query', jsonb_build_object('TableName', :'t',
         'KeyConditionExpression', 'PK = :p', 'ExpressionAttributeValues', '{":p": {"S": "u#1"}}'::jsonb)) AS query;
SELECT singletable.execute('Scan', jsonb_build_object('TableName', :'t')) -> 'Count' AS scan_count;
SELECT singletable.execute('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object(:'t',
         '[{"PutRequest": {"Item": {"PK": {"S": "u#2"}, "SK": {"S": "b"}}}}]'::jsonb))) AS batch_write;
SELECT jsonb_object_keys(singletable.execute('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object(:'t',
         '{"Keys": [{"PK": {"S": "u#2"}, "SK": {"S": "b"}}]}'::jsonb))) -> 'Responses') = :'t' AS batch_get_by_name;
SELECT singletable.execute('TransactWriteItems', jsonb_build_object('TransactItems', jsonb_build_array(
         jsonb_build_object('Put', jsonb_build_object('TableName', :'t', 'Item', '{"PK": {"S": "u#3"}, "SK": {"S": "c"}}'::jsonb)),
         jsonb_build_object('Delete', jsonb_build_object('TableName', :'t', 'Key', '{"PK": {"S": "u#2"}, "SK": {"S": "b"}}'::jsonb))))) AS transact_write;
SELECT singletable.execute('TransactGetItems', jsonb_build_object('TransactItems', jsonb_build_array(
         jsonb_build_object('Get', jsonb_build_object('TableName', :'t', 'Key', '{"PK": {"S": "u#3"}, "SK": {"S": "c"}}'::jsonb))))) AS transact_get;
SELECT singletable.execute('DeleteItem', jsonb_build_object('TableName', :'t',
         'Key', '{"PK": {"S": "u#3"}, "SK": {"S": "c"}}'::jsonb, 'ReturnValues', 'ALL_OLD')) AS deleted;
SELECT singletable.execute('UpdateTimeToLive', jsonb_build_object('TableName', :'t',
         'TimeToLiveSpecification', '{"Enabled": true, "AttributeName": "expires"}'::jsonb)) AS ttl;
SELECT singletable.execute('DescribeTimeToLive', jsonb_build_object('TableName', :'t')) AS ttl_described;

-- Indexes with long and short names: UpdateTable creates a GSI named with
-- 255 characters; its index table's name is shortened too.
SELECT 'I255-' || repeat('e', 250) AS i \gset
SELECT singletable.execute('UpdateTable', jsonb_build_object('TableName', :'t',
         'AttributeDefinitions', '[{"AttributeName": "g", "AttributeType": "S"}]'::jsonb,
         'GlobalSecondaryIndexUpdates', jsonb_build_array(jsonb_build_object('Create', jsonb_build_object(
           'IndexName', :'i', 'KeySchema', '[{"AttributeName": "g", "KeyType": "HASH"}]'::jsonb,
           'Projection', '{"ProjectionType": "ALL"}'::jsonb))))) #>> '{TableDescription,TableName}' = :'t' AS index_added;
SELECT singletable.create_index(singletable.table_named(:'t'), 'GSI', 'g') IS NOT NULL AS short_index_created;
-- errors name the table by its DynamoDB name
SELECT singletable.create_index(singletable.table_named(:'t'), 'GSI', 'g');
SELECT ix ->> 'IndexName' = :'i' AS long_index, ix ->> 'IndexName' AS index_name,
       ix ->> 'IndexArn' = 'arn:aws:dynamodb:ddblocal:000000000000:table/' || :'t' || '/index/' || (ix ->> 'IndexName') AS index_arn_ok,
       length(ix ->> 'IndexTableName') AS index_table_len
  FROM jsonb_array_elements(singletable.execute('DescribeTable', jsonb_build_object('TableName', :'t')) #> '{Table,GlobalSecondaryIndexes}') ix
 ORDER BY 2;
-- (UpdateTable builds it online: wait until it is ACTIVE)
DO $$BEGIN
	FOR i IN 1..600 LOOP
		EXIT WHEN NOT EXISTS (SELECT FROM singletable.indexes WHERE status = 'CREATING');
		PERFORM pg_sleep(0.05);
	END LOOP;
END$$;
SELECT singletable.execute('Query', jsonb_build_object('TableName', :'t', 'IndexName', :'i',
         'KeyConditionExpression', 'g = :g', 'ExpressionAttributeValues', '{":g": {"S": "x"}}'::jsonb)) -> 'Count' AS long_index_query;
SELECT singletable.execute('Query', jsonb_build_object('TableName', :'t', 'IndexName', 'GSI',
         'KeyConditionExpression', 'g = :g', 'ExpressionAttributeValues', '{":g": {"S": "x"}}'::jsonb)) -> 'Count' AS short_index_query;

--
-- The same through the SQL functions.  create_table takes a name as SQL
-- writes it, the last part up to 255 bytes.
--
SELECT singletable.create_table('"' || repeat('S', 100) || '.sql"') IS NOT NULL AS created;
SELECT repeat('S', 100) || '.sql' AS s \gset
SELECT singletable.put_item(singletable.table_named(:'s'), '{"PK": "p", "SK": "1", "v": 1, "g": "y"}');
SELECT singletable.get_item(singletable.table_named(:'s'), '{"PK": "p", "SK": "1"}');
SELECT singletable.update_item(singletable.table_named(:'s'), '{"PK": "p", "SK": "1"}', 'SET v = :v',
                               "values" => '{":v": 2}', return_values => 'ALL_NEW');
SELECT singletable.query(singletable.table_named(:'s'), 'PK = :p', "values" => '{":p": "p"}') -> 'Count' AS query_count;
SELECT singletable.scan(singletable.table_named(:'s')) -> 'Count' AS scan_count;
SELECT singletable.batch_write(jsonb_build_object(:'s', '[{"PutRequest": {"Item": {"PK": "p", "SK": "2"}}}]'::jsonb));
SELECT singletable.batch_get(jsonb_build_object(:'s', '{"Keys": [{"PK": "p", "SK": "2"}]}'::jsonb)) -> 'Responses' -> :'s' AS batch_get;
SELECT singletable.transact_write(jsonb_build_array(jsonb_build_object('Delete',
         jsonb_build_object('TableName', :'s', 'Key', '{"PK": "p", "SK": "2"}'::jsonb))));
SELECT singletable.transact_get(jsonb_build_array(jsonb_build_object('Get',
         jsonb_build_object('TableName', :'s', 'Key', '{"PK": "p", "SK": "1"}'::jsonb))));
SELECT singletable.create_index(singletable.table_named(:'s'), repeat('j', 120), 'g') IS NOT NULL AS long_index_created;
SELECT singletable.query(singletable.table_named(:'s'), 'g = :g', "values" => '{":g": "y"}', index => repeat('j', 120)) -> 'Count' AS index_count;
SELECT singletable.describe_table(singletable.table_named(:'s')) ->> 'TableName' = :'s' AS describe_names_it;
SELECT singletable.delete_item(singletable.table_named(:'s'), '{"PK": "p", "SK": "1"}', return_values => 'ALL_OLD');
SELECT singletable.drop_table(singletable.table_named(:'s'));
SELECT singletable.table_named(:'s');

--
-- Dotted names.  A registered DynamoDB name wins over schema.table; a name
-- whose first part is a schema and that is no DynamoDB name is
-- schema.table as in 0.1; a dot anywhere else is part of the name.
--
CREATE SCHEMA prod;
SELECT singletable.execute('DescribeTable', '{"TableName": "prod.orders.v2"}') #>> '{Table,SchemaName}' AS registered_name_wins;
SELECT singletable.execute('DescribeTable', '{"TableName": "fn_other.kept"}') #>> '{Table,TableName}' AS schema_dot_table;
SELECT singletable.execute('GetItem', '{"TableName": "no_schema.nothing", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}}}',
                           raise_errors => false) AS missing_schema;
SELECT singletable.execute('DescribeTable', '{"TableName": "no_schema.nothing"}', raise_errors => false) AS missing_table;
SELECT singletable.execute('PutItem', '{"TableName": ".hidden", "Item": {"PK": {"S": "a"}, "SK": {"S": "b"}}}') AS leading_dot_put;
SELECT singletable.execute('GetItem', '{"TableName": ".hidden", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}}}') AS leading_dot_get;
SET search_path = '';
SELECT singletable.execute('CreateTable', ('{"TableName": "nowhere", ' || :'keys' || '}')::jsonb,
                           raise_errors => false) AS no_schema_to_create_in;
SET search_path = fidelity_names, public;

--
-- Errors, with DynamoDB's messages: 2 and 256 characters, other characters;
-- index names likewise.
--
SELECT singletable.execute('CreateTable', ('{"TableName": "' || n || '", ' || :'keys' || '}')::jsonb,
                           raise_errors => false) AS bad_name
  FROM unnest(ARRAY['ab', repeat('x', 256), 'bad name!', 'ünïcode']) n;
SELECT singletable.execute('UpdateTable', jsonb_build_object('TableName', 'abc',
         'AttributeDefinitions', '[{"AttributeName": "g", "AttributeType": "S"}]'::jsonb,
         'GlobalSecondaryIndexUpdates', jsonb_build_array(jsonb_build_object('Create', jsonb_build_object(
           'IndexName', n, 'KeySchema', '[{"AttributeName": "g", "KeyType": "HASH"}]'::jsonb,
           'Projection', '{"ProjectionType": "ALL"}'::jsonb)))), raise_errors => false) AS bad_index_name
  FROM unnest(ARRAY['ix', repeat('i', 256), 'bad index']) n;
SELECT singletable.create_table('"' || repeat('z', 256) || '"');

--
-- The change stream names a long-named table by its DynamoDB name, in both
-- envelopes.
--
SELECT 'init' FROM pg_create_logical_replication_slot('fn_names', 'singletable');
SELECT singletable.execute('PutItem', jsonb_build_object('TableName', :'t',
         'Item', '{"PK": {"S": "s#1"}, "SK": {"S": "a"}}'::jsonb));
SELECT data::jsonb ->> 'tableName' = :'t' AS dynamodb_envelope_names_it
  FROM pg_logical_slot_peek_changes('fn_names', NULL, NULL);
SELECT data::jsonb ->> 'tableName' = :'t' AS compact_envelope_names_it
  FROM pg_logical_slot_peek_changes('fn_names', NULL, NULL, 'envelope', 'compact');
SELECT pg_drop_replication_slot('fn_names');

-- DeleteTable of every name, through execute.
SELECT n.label, singletable.execute('DeleteTable', jsonb_build_object('TableName', n.name)) #>> '{TableDescription,TableStatus}' AS status
  FROM names n ORDER BY length(n.name), n.label;
SELECT count(*) AS tables_left FROM singletable.tables t JOIN pg_class c ON c.oid = t.relid
 WHERE c.relnamespace IN ('fidelity_names'::regnamespace, 'fn_other'::regnamespace);
DROP SCHEMA fidelity_names, fn_other, prod CASCADE;
