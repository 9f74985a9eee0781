-- The backend's cache of parsed expressions (expr_cache.c): a text parsed
-- once is not parsed again, and every use resolves its own placeholders.
SET client_min_messages = warning;
CREATE SCHEMA expr_cache_test;
SET search_path = expr_cache_test, public;
SELECT singletable.create_table('ec');
SELECT singletable.put_item('ec', '{"PK": "A", "SK": "1", "x": 1, "n": 10}');
SELECT singletable.put_item('ec', '{"PK": "A", "SK": "2", "y": 2, "n": 20}');
SELECT singletable.put_item('ec', '{"PK": "B", "SK": "1", "x": 3, "n": 30}');

-- One key condition text, new values each call.
SELECT singletable.query('ec', 'PK = :p', "values" => '{":p": "A"}') -> 'Count';
SELECT singletable.query('ec', 'PK = :p', "values" => '{":p": "B"}') -> 'Count';
SELECT singletable.query('ec', 'PK = :p AND SK > :s', "values" => '{":p": "A", ":s": "1"}') -> 'Items';
SELECT singletable.query('ec', 'PK = :p AND SK > :s', "values" => '{":p": "A", ":s": "0"}') -> 'Count';
-- after a success, the same text with its placeholder undefined, unused or
-- of the wrong kind is still each call's error
SELECT singletable.query('ec', 'PK = :p', "values" => '{":q": "A"}');
SELECT singletable.query('ec', 'PK = :p', "values" => '{":p": "A", ":q": "A"}');
SELECT singletable.query('ec', 'PK = :p AND SK > :s', "values" => '{":p": "A", ":s": {"a": 1}}');
SELECT singletable.query('ec', 'PK = :p', "values" => '{":p": "A"}') -> 'Count';

-- One condition text, new names each call: the second put's #a is another
-- attribute.
SELECT singletable.put_item('ec', '{"PK": "A", "SK": "1", "x": 1, "n": 11}',
  condition => 'attribute_exists(#a)', names => '{"#a": "x"}');
SELECT singletable.put_item('ec', '{"PK": "A", "SK": "1", "x": 1, "n": 12}',
  condition => 'attribute_exists(#a)', names => '{"#a": "y"}');
SELECT item -> 'n' FROM ec WHERE pk = 'A' AND sk = '1';

-- The same condition text twice in one call, with other names: each action
-- keeps its own resolution (a shared tree would check the second's
-- attribute on both items and cancel the transaction).
CREATE FUNCTION two_actions(v int) RETURNS jsonb LANGUAGE sql AS $f$
  SELECT singletable.transact_write(format('[
    {"ConditionCheck": {"TableName": "ec", "Key": {"PK": "A", "SK": "1"},
       "ConditionExpression": "attribute_exists(#a) AND #a = :v",
       "ExpressionAttributeNames": {"#a": "x"}, "ExpressionAttributeValues": {":v": 1}}},
    {"Update": {"TableName": "ec", "Key": {"PK": "A", "SK": "2"},
       "UpdateExpression": "SET #a = :v",
       "ConditionExpression": "attribute_exists(#a) AND #a = :v",
       "ExpressionAttributeNames": {"#a": "y"}, "ExpressionAttributeValues": {":v": %s}}}]', v)::jsonb)
$f$;
SELECT two_actions(2);
-- and the second action's own value: y is 2, not 3
SELECT two_actions(3);

-- One update text, new names: each call sets its own attribute.
SELECT singletable.update_item('ec', '{"PK": "B", "SK": "1"}', 'SET #a = :v',
  names => '{"#a": "p"}', "values" => '{":v": "first"}');
SELECT singletable.update_item('ec', '{"PK": "B", "SK": "1"}', 'SET #a = :v',
  names => '{"#a": "q"}', "values" => '{":v": "second"}');
SELECT item FROM ec WHERE pk = 'B' AND sk = '1';

-- A text is cached per kind of expression: "x" is a projection, not a
-- condition, and "x = :v" a condition, not an update.
SELECT singletable.get_item('ec', '{"PK": "B", "SK": "1"}', projection => 'x');
SELECT singletable.put_item('ec', '{"PK": "B", "SK": "1", "x": 3}', condition => 'x');
SELECT singletable.update_item('ec', '{"PK": "B", "SK": "1"}', 'x = :v', "values" => '{":v": 1}');
SELECT singletable.put_item('ec', '{"PK": "B", "SK": "1", "x": 3}', condition => 'x = :v', "values" => '{":v": 3}');

-- An expression with an error is reported on every call.
SELECT singletable.query('ec', 'PK = = :p', "values" => '{":p": "A"}');
SELECT singletable.query('ec', 'PK = = :p', "values" => '{":p": "A"}');

-- Past its budget (1 MB) the cache is emptied and fills again: 3,000
-- distinct projections of about 600 bytes each, then the texts above.
DO $$
DECLARE
  p text;
BEGIN
  FOR i IN 1..3000 LOOP
    SELECT string_agg('a' || i || '_' || j, ', ') INTO p FROM generate_series(1, 60) j;
    PERFORM singletable.get_item('ec', '{"PK": "B", "SK": "1"}', projection => p);
  END LOOP;
END $$;
SELECT singletable.query('ec', 'PK = :p', "values" => '{":p": "B"}') -> 'Items';
SELECT singletable.get_item('ec', '{"PK": "B", "SK": "1"}', projection => 'x, q');

DROP SCHEMA expr_cache_test CASCADE;
