-- execute('GetItem') converts each typed value of its Key once (checked
-- before the table is looked up, read again once it is known), and counts
-- the item's size only when ReturnConsumedCapacity asks for it: the
-- answers and errors are get_item's and the general path's.
CREATE SCHEMA gik;
SET search_path = gik;
SELECT singletable.create_table('g');
SELECT singletable.create_table('h', partition_key => 'id', partition_key_type => 'N', sort_key => NULL);
SELECT singletable.put_item('g', '{"PK": "p", "SK": "s", "n": 1.50, "l": ["a", 2], "m": {"x": true, "y": null}}');
SELECT singletable.put_item('h', '{"id": 7, "v": "seven"}');

-- found, typed; the same item as get_item's
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}}}');
SELECT singletable.from_dynamodb_json(singletable.execute('GetItem',
         '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}}}')->'Item')
     = singletable.get_item('g', '{"PK": "p", "SK": "s"}') AS same;
SELECT singletable.execute('GetItem', '{"TableName": "h", "Key": {"id": {"N": "7.0"}}}');
-- not found
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "t"}}}');
-- capacity: with and without the item
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "x"}}, "ReturnConsumedCapacity": "INDEXES", "ConsistentRead": true}');
-- projection
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}}, "ProjectionExpression": "n, m.x"}');

-- every kind of value: the typed answer, built without a parse state, is
-- byte for byte to_dynamodb_json's (which builds it with one), also for
-- PutItem's ReturnValues
\set allitem '{"PK": "all", "SK": "s", "s": "x", "n": -0.10, "big": 1e30, "t": true, "f": false, "z": null, "l": [1, "a", [], {}, null, {"$SS": ["b"]}], "m": {"k": {"$NS": [3, 1.0]}, "e": {}}, "b": {"$B": "AAE="}, "ss": {"$SS": ["q", "p"]}, "bs": {"$BS": ["AQ=="]}, "esc": {"$M": {"$S": "lit"}}}'
SELECT singletable.put_item('g', :'allitem');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "all"}, "SK": {"S": "s"}}}')::text
     = jsonb_build_object('Item', singletable.to_dynamodb_json(:'allitem'))::text AS same;
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "all"}, "SK": {"S": "s"}}}');
SELECT singletable.execute('PutItem', '{"TableName": "g", "Item": {"PK": {"S": "all"}, "SK": {"S": "s"}}, "ReturnValues": "ALL_OLD"}')::text
     = jsonb_build_object('Attributes', singletable.to_dynamodb_json(:'allitem'))::text AS same_old;

-- keys that are not the table's: too many or too few members, other names,
-- the wrong type, malformed typed values (before the table is known)
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}, "X": {"S": "x"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "XX": {"S": "s"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"N": "1"}, "SK": {"S": "s"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": ""}, "SK": {"S": "s"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": 1}, "SK": {"S": "s"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "nosuch", "Key": {"PK": {"S": 1}}}');
SELECT singletable.execute('GetItem', '{"TableName": "nosuch", "Key": {"PK": {"S": "p"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "h", "Key": {"id": {"S": "7"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "h", "Key": {"id": {"N": "7"}, "v": {"S": "x"}, "w": {"S": "y"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {}}');
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}}}', raise_errors => false);
SELECT singletable.execute('GetItem', '{"TableName": "g", "Key": {"PK": {"S": "p"}, "SK": {"B": "s"}}}', raise_errors => false);

RESET search_path;
DROP SCHEMA gik CASCADE;
