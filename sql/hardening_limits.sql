-- Limits DynamoDB enforces on items and keys: binary values in canonical
-- base64, attribute names of 1 to 65535 bytes (key and projected names at
-- most 255), values nested at most 32 levels deep.  Each is a
-- ValidationException on every write path: put_item, update_item (the
-- updated item), batch_write, transact_write and execute().  The table's
-- CHECK constraint and generated key columns keep accepting what earlier
-- versions accepted, so a restore or a logical-replication subscriber takes
-- every row its source held.
SET client_min_messages = warning;
\set VERBOSITY default
CREATE SCHEMA hardening_test;
SET search_path = hardening_test, public;
SELECT singletable.create_table('app');
SELECT singletable.create_table('bin', partition_key => 'id', sort_key => NULL, partition_key_type => 'B');

-- The SQLSTATE of a statement, or ok.
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;
-- A value whose innermost number sits at nesting level n once it is the
-- value of a top-level attribute (which is level 1): n - 1 maps or lists.
CREATE FUNCTION nest(n int, leaf jsonb DEFAULT '1') RETURNS jsonb LANGUAGE sql AS $$
	SELECT (repeat('{"a": ', n - 1) || leaf::text || repeat('}', n - 1))::jsonb $$;
CREATE FUNCTION nest_list(n int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT (repeat('[', n - 1) || '1' || repeat(']', n - 1))::jsonb $$;
-- The same, as DynamoDB typed JSON.
CREATE FUNCTION typed_nest(n int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT (repeat('{"M": {"a": ', n - 1) || '{"N": "1"}' || repeat('}}', n - 1))::jsonb $$;

---------------------------------------------------------------------------
-- Binary: canonical base64 only.  "YQ==" is the byte "a"; "YR==" decodes
-- to the same byte with a stray low bit, "YQ=A" has data after padding.
---------------------------------------------------------------------------
SELECT singletable.put_item('bin', '{"id": {"$B": "YQ=="}}');
SELECT singletable.put_item('bin', '{"id": {"$B": "YWE="}}');
SELECT singletable.put_item('bin', '{"id": {"$B": "YR=="}}');
SELECT singletable.put_item('bin', '{"id": {"$B": "YWF="}}');
SELECT singletable.put_item('bin', '{"id": {"$B": "YQ=A"}}');
SELECT singletable.put_item('bin', '{"id": {"$B": "YQ"}}');
SELECT singletable.put_item('bin', '{"id": {"$B": "YQ== "}}');
-- keys of reads and updates, and key conditions, likewise
SELECT singletable.get_item('bin', '{"id": {"$B": "YQ=="}}');
SELECT singletable.get_item('bin', '{"id": {"$B": "YR=="}}');
SELECT singletable.update_item('bin', '{"id": {"$B": "YR=="}}', 'SET x = :x', "values" => '{":x": 1}');
SELECT singletable.delete_item('bin', '{"id": {"$B": "YR=="}}');
SELECT singletable.query('bin', 'id = :k', "values" => '{":k": {"$B": "YR=="}}');
SELECT singletable.batch_write('{"bin": [{"PutRequest": {"Item": {"id": {"$B": "YR=="}}}}]}');
SELECT singletable.transact_write('[{"Put": {"TableName": "bin", "Item": {"id": {"$B": "YR=="}}}}]');
SELECT singletable.execute('PutItem', '{"TableName": "bin", "Item": {"id": {"B": "YR=="}}}');
SELECT singletable.execute('GetItem', '{"TableName": "bin", "Key": {"id": {"B": "YR=="}}}');
-- typed JSON: B and BS members
SELECT singletable.from_dynamodb_json('{"b": {"B": "YQ=="}, "e": {"B": ""}, "s": {"BS": ["YWE=", "YQ=="]}}');
SELECT singletable.from_dynamodb_json('{"b": {"B": "YR=="}}');
SELECT singletable.from_dynamodb_json('{"s": {"BS": ["YQ==", "YWF="]}}');
SELECT singletable.from_dynamodb_value('{"B": "YQ=A"}');
-- a binary index key
SELECT singletable.create_index('app', 'ByBin', 'bk', partition_key_type => 'B');
SELECT singletable.put_item('app', '{"PK": "b", "SK": "1", "bk": {"$B": "YQ=="}}');
SELECT singletable.put_item('app', '{"PK": "b", "SK": "2", "bk": {"$B": "YR=="}}');
SELECT item FROM "app__ByBin" ORDER BY pk;
SELECT singletable.drop_index('app', 'ByBin');
-- Plain SQL (what a restore or a subscriber runs) still takes the text an
-- earlier version took: its key column holds the decoded bytes.
INSERT INTO bin (item) VALUES ('{"id": {"$B": "Yh=="}}');
SELECT item, pk FROM bin ORDER BY pk;
SELECT q, pg_temp.sqlstate_of(q) FROM (VALUES
	($q$SELECT singletable.put_item('bin', '{"id": {"$B": "YR=="}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"b": {"B": "YR=="}}')$q$)) v(q);

---------------------------------------------------------------------------
-- Attribute names: 1 to 65535 bytes, at any level of the item.
---------------------------------------------------------------------------
SELECT singletable.put_item('app', '{"PK": "n", "SK": "1", "": 1}');
SELECT singletable.put_item('app', '{"PK": "n", "SK": "1", "m": {"x": {"": 1}}}');
SELECT singletable.put_item('app', jsonb_build_object('PK', 'n', 'SK', '2', repeat('n', 65535), 1, 'm', jsonb_build_object(repeat('m', 65535), 2)));
SELECT (SELECT array_agg(length(k) ORDER BY length(k)) FROM jsonb_object_keys(item) k) AS top_names,
	length((SELECT k FROM jsonb_object_keys(item -> 'm') k)) AS nested_name
	FROM app WHERE pk = 'n' AND sk = '2';
SELECT singletable.put_item('app', jsonb_build_object('PK', 'n', 'SK', '3', repeat('n', 65536), 1));
SELECT singletable.put_item('app', jsonb_build_object('PK', 'n', 'SK', '3', 'm', jsonb_build_object(repeat('m', 65536), 1)));
-- an update whose result has such a name
SELECT singletable.update_item('app', '{"PK": "n", "SK": "4"}', 'SET m = :m', "values" => '{":m": {"": 1}}');
SELECT singletable.update_item('app', '{"PK": "n", "SK": "4"}', 'SET #n = :v',
	names => jsonb_build_object('#n', repeat('n', 65536)), "values" => '{":v": 1}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "n", "SK": "5", "": 1}}}]}');
SELECT singletable.transact_write(jsonb_build_array(jsonb_build_object('Put', jsonb_build_object('TableName', 'app',
	'Item', jsonb_build_object('PK', 'n', 'SK', '6', repeat('n', 65536), 1)))));
SELECT singletable.transact_write('[{"Update": {"TableName": "app", "Key": {"PK": "n", "SK": "7"},
	"UpdateExpression": "SET m = :m", "ExpressionAttributeValues": {":m": {"": 1}}}}]');
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "n"}, "SK": {"S": "8"}, "": {"S": "x"}}}');
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "n"}, "SK": {"S": "8"}, "m": {"M": {"": {"S": "x"}}}},
	"ReturnValues": "ALL_OLD"}');
-- (an unconditional PutItem used to skip the item's checks altogether)
SELECT singletable.execute('PutItem', jsonb_build_object('TableName', 'app', 'Item', jsonb_build_object(
	'PK', '{"S": "n"}'::jsonb, 'SK', '{"S": "9"}'::jsonb, 'big', jsonb_build_object('S', repeat('x', 500000)))));
SELECT count(*) AS written FROM app WHERE pk = 'n';
-- key attribute names and projected (INCLUDE) names: at most 255 bytes
SELECT singletable.create_table('long_pk', partition_key => repeat('p', 256)) IS NULL;
SELECT singletable.create_table('long_sk', sort_key => repeat('s', 256)) IS NULL;
SELECT singletable.create_table('long_ok', partition_key => repeat('p', 255), sort_key => repeat('s', 255)) IS NOT NULL AS created;
SELECT singletable.create_table('empty_pk', partition_key => '') IS NULL;
SELECT singletable.create_index('app', 'GSI1', repeat('g', 256)) IS NULL;
SELECT singletable.create_index('app', 'GSI1', 'GPK', repeat('g', 256)) IS NULL;
SELECT singletable.create_index('app', 'GSI1', 'GPK', projection => 'INCLUDE', include => ARRAY['a', repeat('i', 256)]) IS NULL;
SELECT singletable.create_index('app', 'GSI1', 'GPK', projection => 'INCLUDE', include => ARRAY['a', repeat('i', 255)]) IS NOT NULL AS created;
SELECT q, pg_temp.sqlstate_of(q) FROM (VALUES
	($q$SELECT singletable.put_item('app', '{"PK": "n", "SK": "1", "": 1}')$q$),
	($q$SELECT singletable.put_item('app', jsonb_build_object('PK', 'n', 'SK', '3', repeat('n', 65536), 1))$q$),
	($q$SELECT singletable.create_index('app', 'GSI2', 'GPK', projection => 'INCLUDE', include => ARRAY[repeat('i', 256)])$q$)) v(q);

---------------------------------------------------------------------------
-- Nesting: a top-level attribute is level 1, the members of its map or
-- list level 2 ...; nothing may sit deeper than level 32.
---------------------------------------------------------------------------
SELECT singletable.put_item('app', jsonb_build_object('PK', 'd', 'SK', '1', 'm', nest(32), 'l', nest_list(32), 'e', nest(32, '{}')));
SELECT singletable.put_item('app', jsonb_build_object('PK', 'd', 'SK', '2', 'm', nest(33)));
SELECT singletable.put_item('app', jsonb_build_object('PK', 'd', 'SK', '2', 'l', nest_list(33)));
SELECT singletable.put_item('app', jsonb_build_object('PK', 'd', 'SK', '2', 'e', nest(32, '{"a": 1}')));
SELECT singletable.put_item('app', jsonb_build_object('PK', 'd', 'SK', '2', 'e', nest(32, '[]')));
-- update_item: SET of a value that is fine alone but lands at level 33
SELECT singletable.put_item('app', '{"PK": "d", "SK": "3", "m": {"a": {}}}');
SELECT singletable.update_item('app', '{"PK": "d", "SK": "3"}', 'SET m.a = :v', "values" => jsonb_build_object(':v', nest(31)));
SELECT singletable.update_item('app', '{"PK": "d", "SK": "3"}', 'SET m.a = :v', "values" => jsonb_build_object(':v', nest(32)));
SELECT singletable.update_item('app', '{"PK": "d", "SK": "3"}', 'SET m.a = list_append(:v, :v)', "values" => jsonb_build_object(':v', jsonb_build_array(nest_list(31))));
SELECT singletable.batch_write(jsonb_build_object('app', jsonb_build_array(jsonb_build_object('PutRequest',
	jsonb_build_object('Item', jsonb_build_object('PK', 'd', 'SK', '4', 'm', nest(33)))))));
SELECT singletable.transact_write(jsonb_build_array(jsonb_build_object('Put', jsonb_build_object('TableName', 'app',
	'Item', jsonb_build_object('PK', 'd', 'SK', '5', 'm', nest(33))))));
SELECT singletable.transact_write(jsonb_build_array(jsonb_build_object('Update', jsonb_build_object('TableName', 'app',
	'Key', '{"PK": "d", "SK": "3"}'::jsonb, 'UpdateExpression', 'SET m.a = :v',
	'ExpressionAttributeValues', jsonb_build_object(':v', nest(32))))));
-- execute(): typed values are checked as they are converted
SELECT singletable.execute('PutItem', jsonb_build_object('TableName', 'app',
	'Item', jsonb_build_object('PK', '{"S": "d"}'::jsonb, 'SK', '{"S": "6"}'::jsonb, 'm', typed_nest(32)))) AS put_32;
SELECT singletable.execute('PutItem', jsonb_build_object('TableName', 'app',
	'Item', jsonb_build_object('PK', '{"S": "d"}'::jsonb, 'SK', '{"S": "7"}'::jsonb, 'm', typed_nest(33))));
SELECT singletable.execute('UpdateItem', jsonb_build_object('TableName', 'app',
	'Key', '{"PK": {"S": "d"}, "SK": {"S": "3"}}'::jsonb, 'UpdateExpression', 'SET m.a = :v',
	'ExpressionAttributeValues', jsonb_build_object(':v', typed_nest(32))));
SELECT singletable.from_dynamodb_value(typed_nest(32)) = nest(32) AS converts_32;
SELECT singletable.from_dynamodb_value(typed_nest(33));
SELECT sk, (item -> 'm') #> array_fill('a'::text, ARRAY[31]) AS level_32 FROM app WHERE pk = 'd' ORDER BY sk;
SELECT q, pg_temp.sqlstate_of(q) FROM (VALUES
	($q$SELECT singletable.put_item('app', jsonb_build_object('PK', 'd', 'SK', '2', 'm', nest(33)))$q$),
	($q$SELECT singletable.from_dynamodb_value(typed_nest(33))$q$)) v(q);

---------------------------------------------------------------------------
-- The CHECK constraint is not the write path: plain SQL takes the items
-- earlier versions stored, and the change stream's typed images of them
-- still print.  An update's result must obey the rules, so an update of
-- such an item fails until a put replaces it.
---------------------------------------------------------------------------
INSERT INTO app (item) VALUES (jsonb_build_object('PK', 'old', 'SK', '1', '', 1, 'm', nest(40)));
SELECT length(singletable.to_dynamodb_json_text(item)) AS typed_length FROM app WHERE pk = 'old';
SELECT singletable.update_item('app', '{"PK": "old", "SK": "1"}', 'SET x = :x', "values" => '{":x": 1}');
SELECT singletable.update_item('app', '{"PK": "old", "SK": "1"}', 'REMOVE m');
SELECT singletable.put_item('app', '{"PK": "old", "SK": "1", "x": 1}');
SELECT item FROM app WHERE pk = 'old';

DROP SCHEMA hardening_test CASCADE;
