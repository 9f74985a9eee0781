-- batch_get and batch_write: many items in one call, in DynamoDB's
-- RequestItems shape, with DynamoDB's response shape.
SET client_min_messages = warning;
-- Everything in a schema of its own, dropped at the end.
CREATE SCHEMA batch_test;
SET search_path = batch_test, public;
SELECT singletable.create_table('app');
SELECT singletable.create_table('users', partition_key => 'id', sort_key => NULL);
SELECT singletable.create_table('nums', partition_key => 'n', partition_key_type => 'N', sort_key => NULL);
CREATE SCHEMA other;
SELECT singletable.create_table('other.things');

-- Puts and deletes over several tables in one call.
SELECT singletable.batch_write('{
  "app": [
    {"PutRequest": {"Item": {"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "age": 31}}},
    {"PutRequest": {"Item": {"PK": "USER#1", "SK": "ORDER#1", "total": 10}}},
    {"PutRequest": {"Item": {"PK": "USER#2", "SK": "PROFILE", "name": "Bob", "tags": ["a", "b"]}}}
  ],
  "users": [
    {"PutRequest": {"Item": {"id": "u1", "email": "ann@example.com"}}},
    {"PutRequest": {"Item": {"id": "u2", "email": "bob@example.com"}}}
  ],
  "nums": [{"PutRequest": {"Item": {"n": 1.50, "v": "x"}}}],
  "other.things": [{"PutRequest": {"Item": {"PK": "t", "SK": "1"}}}]
}');
SELECT item FROM app ORDER BY pk, sk;
SELECT item FROM users ORDER BY pk;

-- A put replaces the whole item; a delete of an absent key is no error.
SELECT singletable.batch_write('{"app": [
  {"PutRequest": {"Item": {"PK": "USER#1", "SK": "ORDER#1", "total": 12}}},
  {"DeleteRequest": {"Key": {"PK": "USER#2", "SK": "PROFILE"}}},
  {"DeleteRequest": {"Key": {"PK": "USER#9", "SK": "NONE"}}}
]}');
SELECT item FROM app ORDER BY pk, sk;

-- batch_get: items in request order, absent keys left out, every table
-- requested appears in Responses.
SELECT jsonb_pretty(singletable.batch_get('{
  "app": {"Keys": [{"PK": "USER#1", "SK": "ORDER#1"}, {"PK": "USER#1", "SK": "PROFILE"},
                   {"PK": "nobody", "SK": "x"}]},
  "users": {"Keys": [{"id": "u2"}], "ConsistentRead": true},
  "nums": {"Keys": [{"n": 1.5}]},
  "other.things": {"Keys": [{"PK": "t", "SK": "1"}]}
}'));

-- Projections: ProjectionExpression with names, or the legacy AttributesToGet.
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "USER#1", "SK": "PROFILE"}],
  "ProjectionExpression": "#n, age", "ExpressionAttributeNames": {"#n": "name"}}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "USER#1", "SK": "PROFILE"}],
  "AttributesToGet": ["name", "PK"]}}');
SELECT singletable.batch_get('{"users": {"Keys": [{"id": "nobody"}]}}');

-- Limits are settings with DynamoDB's defaults (100 keys, 25 writes).
SHOW singletable.batch_get_max_keys;
SHOW singletable.batch_write_max_items;
SELECT singletable.batch_write(jsonb_build_object('app', (SELECT jsonb_agg(jsonb_build_object('PutRequest',
  jsonb_build_object('Item', jsonb_build_object('PK', 'BULK', 'SK', i::text)))) FROM generate_series(1, 25) i)));
SELECT count(*) FROM app WHERE pk = 'BULK';
SELECT jsonb_array_length(singletable.batch_get(jsonb_build_object('app', jsonb_build_object('Keys',
  (SELECT jsonb_agg(jsonb_build_object('PK', 'BULK', 'SK', i::text)) FROM generate_series(1, 100) i))))
  -> 'Responses' -> 'app');
-- one over the limit
SELECT singletable.batch_write(jsonb_build_object('app', (SELECT jsonb_agg(jsonb_build_object('PutRequest',
  jsonb_build_object('Item', jsonb_build_object('PK', 'OVER', 'SK', i::text)))) FROM generate_series(1, 26) i)));
SELECT singletable.batch_get(jsonb_build_object('app', jsonb_build_object('Keys',
  (SELECT jsonb_agg(jsonb_build_object('PK', 'BULK', 'SK', i::text)) FROM generate_series(1, 101) i))));
SET singletable.batch_write_max_items = 2;
SELECT singletable.batch_write('{"app": [
  {"PutRequest": {"Item": {"PK": "OVER", "SK": "1"}}},
  {"PutRequest": {"Item": {"PK": "OVER", "SK": "2"}}}], "users": [{"DeleteRequest": {"Key": {"id": "u1"}}}]}');
RESET singletable.batch_write_max_items;
SET singletable.batch_get_max_keys = 1;
SELECT singletable.batch_get('{"users": {"Keys": [{"id": "u1"}, {"id": "u2"}]}}');
RESET singletable.batch_get_max_keys;
-- The limit is checked before anything in the request is read, as DynamoDB
-- checks lengths before values: an over-limit request with an invalid item,
-- a key that is not an object or an unknown table reports the limit.
SET singletable.batch_write_max_items = 2;
SELECT singletable.batch_write('{"app": [
  {"PutRequest": {"Item": {"PK": "OVER", "SK": "1", "bad": 1e200}}},
  {"PutRequest": {"Item": {"PK": "OVER", "SK": "2"}}},
  {"PutRequest": {"Item": {"SK": "3"}}}]}');
SELECT singletable.batch_write('{"no_such_table": [{"DeleteRequest": {"Key": {"id": "u1"}}},
  {"DeleteRequest": {"Key": {"id": "u2"}}}], "users": [{"DeleteRequest": {"Key": {"id": "u1"}}}]}');
-- under the limit, the same bad item is reported
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "OVER", "SK": "1", "bad": 1e200}}}]}');
RESET singletable.batch_write_max_items;
SET singletable.batch_get_max_keys = 2;
SELECT singletable.batch_get('{"users": {"Keys": [{"id": "u1"}, 7, {"id": "u3"}]}}');
SELECT singletable.batch_get('{"users": {"Keys": [{"id": "u1"}]}, "no_such_table": {"Keys": [{"id": "u1"}, {"id": "u2"}]}}');
SELECT singletable.batch_get('{"users": {"Keys": [{"id": "u1"}, 7]}}');
RESET singletable.batch_get_max_keys;
SELECT count(*) FROM app WHERE pk = 'OVER';

-- Index maintenance applies to batch writes as to single ones (several puts
-- to one table run as one statement).
SELECT singletable.create_index('app', 'GSI1', 'GSI1PK');
SELECT singletable.batch_write('{"app": [
  {"PutRequest": {"Item": {"PK": "G", "SK": "1", "GSI1PK": "x"}}},
  {"PutRequest": {"Item": {"PK": "G", "SK": "2", "GSI1PK": "x"}}},
  {"PutRequest": {"Item": {"PK": "G", "SK": "3", "GSI1PK": "y"}}}]}');
SELECT singletable.query('app', 'GSI1PK = :x', "values" => '{":x": "x"}', index => 'GSI1') -> 'Count';
SELECT singletable.batch_write('{"app": [{"DeleteRequest": {"Key": {"PK": "G", "SK": "1"}}},
  {"PutRequest": {"Item": {"PK": "G", "SK": "2", "GSI1PK": "y"}}}]}');
SELECT singletable.query('app', 'GSI1PK = :x', "values" => '{":x": "x"}', index => 'GSI1') -> 'Count';
SELECT singletable.query('app', 'GSI1PK = :y', "values" => '{":y": "y"}', index => 'GSI1', projection => 'SK') -> 'Items';

-- Bad requests: a clear ValidationException naming the field, nothing written.
\set VERBOSITY default
SELECT singletable.batch_write(NULL);
SELECT singletable.batch_write('{}');
SELECT singletable.batch_write('[]');
SELECT singletable.batch_write('{"app": {}}');
SELECT singletable.batch_write('{"app": []}');
SELECT singletable.batch_write('{"app": ["x"]}');
SELECT singletable.batch_write('{"app": [{}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "a", "SK": "b"}},
  "DeleteRequest": {"Key": {"PK": "a", "SK": "b"}}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequst": {"Item": {"PK": "a", "SK": "b"}}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Itm": {"PK": "a", "SK": "b"}}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": "x"}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "a", "SK": "1"}}},
  {"PutRequest": {"Item": {"PK": "a"}}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "a", "SK": "1"}}},
  {"PutRequest": {"Item": {"PK": 1, "SK": "2"}}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "a", "SK": "1"}}},
  {"DeleteRequest": {"Key": {"PK": "a", "SK": "2", "x": 1}}}]}');
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "a", "SK": "1"}}}],
  "nosuchtable": [{"DeleteRequest": {"Key": {"PK": "a", "SK": "2"}}}]}');
-- duplicate keys, within a table (also a put and a delete of one key) ...
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "a", "SK": "1"}}},
  {"DeleteRequest": {"Key": {"PK": "a", "SK": "1"}}}]}');
-- ... and numbers equal in value
SELECT singletable.batch_write('{"nums": [{"PutRequest": {"Item": {"n": 2}}},
  {"PutRequest": {"Item": {"n": 2.0}}}]}');
SELECT count(*) FROM app WHERE pk = 'a';
SELECT count(*) FROM nums;

SELECT singletable.batch_get(NULL);
SELECT singletable.batch_get('{}');
SELECT singletable.batch_get('{"app": []}');
SELECT singletable.batch_get('{"app": {}}');
SELECT singletable.batch_get('{"app": {"Keys": []}}');
SELECT singletable.batch_get('{"app": {"Keys": {"PK": "a"}}}');
SELECT singletable.batch_get('{"app": {"Keys": ["a"]}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "a"}]}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "a", "SK": "1"}], "Limit": 1}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "a", "SK": "1"}, {"PK": "a", "SK": "1"}]}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "a", "SK": "1"}], "ProjectionExpression": "#x"}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "a", "SK": "1"}], "ProjectionExpression": "a",
  "ExpressionAttributeNames": {"#x": "y"}}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "a", "SK": "1"}], "ProjectionExpression": "a",
  "AttributesToGet": ["a"]}}');
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "a", "SK": "1"}], "ProjectionExpression": 5}}');
SELECT singletable.batch_get('{"nosuch": {"Keys": [{"PK": "a", "SK": "1"}]}}');
-- a plain table that is not a singletable table
CREATE TABLE plain (x int);
SELECT singletable.batch_get('{"plain": {"Keys": [{"PK": "a", "SK": "1"}]}}');

-- Privileges are honoured: a role that may read but not write.
CREATE ROLE batch_reader;
GRANT USAGE ON SCHEMA singletable, batch_test TO batch_reader;
GRANT SELECT ON app TO batch_reader;
SET ROLE batch_reader;
SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "USER#1", "SK": "PROFILE"}], "ProjectionExpression": "PK"}}');
\set VERBOSITY terse
SELECT singletable.batch_write('{"app": [{"DeleteRequest": {"Key": {"PK": "USER#1", "SK": "PROFILE"}}}]}');
\set VERBOSITY default
RESET ROLE;
SELECT count(*) FROM app WHERE pk = 'USER#1';
DROP OWNED BY batch_reader;
DROP ROLE batch_reader;
RESET search_path;
DROP SCHEMA batch_test, other CASCADE;
