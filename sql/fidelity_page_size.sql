-- The 1 MB page of Query and Scan ends where DynamoDB's ends: items are
-- counted as DynamoDB counts them for this limit (names one byte, strings
-- with a length prefix, numbers by digits, binary decoded, sets per member,
-- the sort key in a per-item overhead), and the item that reaches 1 MB is
-- the last of the page.  The data are the boundary cases of dynalite's
-- tests, which were checked against DynamoDB: one byte decides between a
-- page of 24 items and one of 25.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_page_size;
SET search_path = fidelity_page_size, public;
CREATE FUNCTION body(op text, req jsonb) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req, raise_errors => false) $$;

-- A hash table of 25 items "00" .. "24": 23 with a string of 43411 bytes,
-- the 24th with a shorter one (len) and one attribute of every other type,
-- the 25th small.
SELECT singletable.create_table('hashed', partition_key => 'a', sort_key => NULL);
CREATE FUNCTION fill_hashed(len int) RETURNS void LANGUAGE sql AS $$
  SELECT singletable.put_item('hashed', CASE
    WHEN i < 23 THEN jsonb_build_object('a', lpad(i::text, 2, '0'), 'b', repeat('b', 43411))
    WHEN i = 23 THEN jsonb_build_object('a', '23', 'b', repeat('b', len), 'c', 12.3456,
      'd', '{"$B": "AQI="}'::jsonb, 'e', '{"$SS": ["a", "bc"]}'::jsonb,
      'f', '{"$NS": [1.23, 12.3]}'::jsonb, 'g', '{"$BS": ["AQI=", "Ag==", "AQ=="]}'::jsonb)
    ELSE '{"a": "24", "b": "b"}'::jsonb END)
  FROM generate_series(0, 24) i
$$;

-- just under 1 MB after 24 items: the page holds all 25
SELECT fill_hashed(43366);
SELECT body('Scan', '{"TableName": "hashed", "Select": "COUNT"}') - 'LastEvaluatedKey' AS under,
       body('Scan', '{"TableName": "hashed", "Select": "COUNT"}') ? 'LastEvaluatedKey' AS more;
SELECT (singletable.scan('hashed')) -> 'ScannedCount' AS sql_under;
-- one byte more: the 24th item reaches 1 MB and ends the page
SELECT fill_hashed(43367);
SELECT body('Scan', '{"TableName": "hashed", "Select": "COUNT"}') AS over;
SELECT p -> 'ScannedCount' AS sql_over, p -> 'LastEvaluatedKey' AS sql_last
FROM (SELECT singletable.scan('hashed') AS p) x;
-- the next page holds the rest
SELECT body('Scan', '{"TableName": "hashed", "Select": "COUNT", "ExclusiveStartKey": {"a": {"S": "23"}}}') AS next_page;

-- A range table, queried: the sort key counts in the per-item overhead.
-- 25 items of one partition (a 10-character id, sorts "00" .. "24") with a
-- string of 43372 bytes, the 24th's of len, the 25th's of 44999.
SELECT singletable.create_table('ranged', partition_key => 'a', sort_key => 'b');
CREATE FUNCTION fill_ranged(len int) RETURNS void LANGUAGE sql AS $$
  SELECT singletable.put_item('ranged', jsonb_build_object('a', 'AAAAA12345', 'b', lpad(i::text, 2, '0'),
    'e', repeat('e', CASE i WHEN 23 THEN len WHEN 24 THEN 44999 ELSE 43372 END)))
  FROM generate_series(0, 24) i
$$;
SELECT fill_ranged(43387);
SELECT body('Query', '{"TableName": "ranged", "Select": "COUNT", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "AAAAA12345"}}}') AS under;
SELECT fill_ranged(43388);
SELECT body('Query', '{"TableName": "ranged", "Select": "COUNT", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "AAAAA12345"}}}') AS over;
SELECT p -> 'ScannedCount' AS sql_over, p -> 'LastEvaluatedKey' AS sql_last
FROM (SELECT singletable.query('ranged', 'a = :a', "values" => '{":a": "AAAAA12345"}') AS p) x;

-- Limit still ends a page first
SELECT body('Query', '{"TableName": "ranged", "Select": "COUNT", "KeyConditionExpression": "a = :a", "Limit": 3,
  "ExpressionAttributeValues": {":a": {"S": "AAAAA12345"}}}') AS limited;

-- Numbers count by their digits: a list of numbers of every shape
-- (negative, zero, trailing zeros, tiny and huge exponents) in the 4th of
-- 5 items whose sizes add up to exactly 1 MB (len 242322) or one byte
-- less, with the numbers counted as 1 + (digits + 1) / 2, one more for an
-- even digit count with an even exponent, one more when negative, plus
-- the stored byte.
SELECT singletable.create_table('numbers', partition_key => 'a', sort_key => NULL);
CREATE FUNCTION fill_numbers(len int) RETURNS void LANGUAGE sql AS $$
  SELECT singletable.put_item('numbers', jsonb_build_object('a', '00', 'b', repeat('x', 400000)));
  SELECT singletable.put_item('numbers', jsonb_build_object('a', '01', 'b', repeat('x', 400000)));
  SELECT singletable.put_item('numbers', jsonb_build_object('a', '02', 'b', repeat('x', len)));
  SELECT singletable.put_item('numbers', '{"a": "03", "n": [-5, 0, 100, 1.5, 0.001, 123456789012345678,
    -1.5e-100, 9.99e100, 10000, -0.25, 12.34]}');
  SELECT singletable.put_item('numbers', '{"a": "04"}');
$$;
SELECT fill_numbers(242322);
SELECT body('Scan', '{"TableName": "numbers", "Select": "COUNT"}') AS exactly_1mb;
SELECT fill_numbers(242321);
SELECT body('Scan', '{"TableName": "numbers", "Select": "COUNT"}') AS one_byte_less;

DROP SCHEMA fidelity_page_size CASCADE;
