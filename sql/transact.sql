-- transact_write and transact_get: all or nothing over any singletable
-- tables, with one cancellation reason per action when a condition fails.
SET client_min_messages = warning;
CREATE SCHEMA transact_test;
SET search_path = transact_test, public;
SELECT singletable.create_table('bank');
SELECT singletable.create_table('ledger', partition_key => 'id', sort_key => NULL);
SELECT singletable.put_item('bank', '{"PK": "ACC#1", "SK": "BALANCE", "balance": 100}');
SELECT singletable.put_item('bank', '{"PK": "ACC#2", "SK": "BALANCE", "balance": 5}');
SELECT singletable.put_item('bank', '{"PK": "BANK", "SK": "STATUS", "open": true}');

-- A transfer: two conditional updates, a new ledger entry, a condition check.
SELECT singletable.transact_write('[
  {"Update": {"TableName": "bank", "Key": {"PK": "ACC#1", "SK": "BALANCE"},
              "UpdateExpression": "SET balance = balance - :amt",
              "ConditionExpression": "balance >= :amt",
              "ExpressionAttributeValues": {":amt": 30}}},
  {"Update": {"TableName": "bank", "Key": {"PK": "ACC#2", "SK": "BALANCE"},
              "UpdateExpression": "SET balance = balance + :amt",
              "ExpressionAttributeValues": {":amt": 30}}},
  {"Put": {"TableName": "ledger", "Item": {"id": "T1", "from": "ACC#1", "to": "ACC#2", "amount": 30},
           "ConditionExpression": "attribute_not_exists(id)"}},
  {"ConditionCheck": {"TableName": "bank", "Key": {"PK": "BANK", "SK": "STATUS"},
           "ConditionExpression": "#o = :t", "ExpressionAttributeNames": {"#o": "open"},
           "ExpressionAttributeValues": {":t": true}}}
]');
SELECT item FROM bank ORDER BY pk;
SELECT item FROM ledger;

-- The same transfer again: the ledger entry exists, so nothing is written,
-- and the error carries a reason per action in request order.
SELECT singletable.transact_write('[
  {"Update": {"TableName": "bank", "Key": {"PK": "ACC#1", "SK": "BALANCE"},
              "UpdateExpression": "SET balance = balance - :amt",
              "ConditionExpression": "balance >= :amt",
              "ExpressionAttributeValues": {":amt": 30}}},
  {"Update": {"TableName": "bank", "Key": {"PK": "ACC#2", "SK": "BALANCE"},
              "UpdateExpression": "SET balance = balance + :amt",
              "ExpressionAttributeValues": {":amt": 30}}},
  {"Put": {"TableName": "ledger", "Item": {"id": "T1", "from": "ACC#1", "to": "ACC#2", "amount": 30},
           "ConditionExpression": "attribute_not_exists(id)",
           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}
]');
SELECT item FROM bank ORDER BY pk;

-- Several failures; ALL_OLD returns the item (when there is one).
SELECT singletable.transact_write('[
  {"ConditionCheck": {"TableName": "bank", "Key": {"PK": "ACC#1", "SK": "BALANCE"},
           "ConditionExpression": "balance > :x", "ExpressionAttributeValues": {":x": 1000},
           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"Delete": {"TableName": "bank", "Key": {"PK": "ACC#2", "SK": "BALANCE"}}},
  {"Delete": {"TableName": "bank", "Key": {"PK": "ACC#9", "SK": "BALANCE"},
           "ConditionExpression": "attribute_exists(PK)",
           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}
]');
SELECT count(*) FROM bank;

-- The reasons are JSON a program can parse from the DETAIL.
SET client_min_messages = notice;
DO $$
DECLARE
	d text;
	reasons jsonb;
BEGIN
	PERFORM singletable.transact_write('[
	  {"Put": {"TableName": "ledger", "Item": {"id": "T2"}}},
	  {"Put": {"TableName": "ledger", "Item": {"id": "T1"}, "ConditionExpression": "attribute_not_exists(id)",
	           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]');
EXCEPTION WHEN SQLSTATE 'ST002' THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	reasons := substr(d, strpos(d, ': ') + 2)::jsonb -> 'CancellationReasons';
	RAISE NOTICE 'codes: %, old amount: %', jsonb_path_query_array(reasons, '$[*].Code'),
		reasons -> 1 -> 'Item' -> 'amount';
END
$$;
SET client_min_messages = warning;
SELECT count(*) FROM ledger;

-- Puts, deletes and an upsert with update in one transaction.
SELECT singletable.transact_write('[
  {"Put": {"TableName": "ledger", "Item": {"id": "T2", "amount": 1}}},
  {"Delete": {"TableName": "ledger", "Key": {"id": "T1"}, "ConditionExpression": "amount = :a",
              "ExpressionAttributeValues": {":a": 30}}},
  {"Update": {"TableName": "ledger", "Key": {"id": "T3"}, "UpdateExpression": "SET #c = :one",
              "ExpressionAttributeNames": {"#c": "count"}, "ExpressionAttributeValues": {":one": 1}}}
]');
SELECT item FROM ledger ORDER BY pk;

-- transact_get: several items at one snapshot, {} where there is none.
SELECT jsonb_pretty(singletable.transact_get('[
  {"Get": {"TableName": "bank", "Key": {"PK": "ACC#1", "SK": "BALANCE"}}},
  {"Get": {"TableName": "ledger", "Key": {"id": "nope"}}},
  {"Get": {"TableName": "ledger", "Key": {"id": "T3"}, "ProjectionExpression": "#c",
           "ExpressionAttributeNames": {"#c": "count"}}}
]'));

-- Bad requests: ValidationException naming the field, nothing written.
SELECT singletable.transact_write(NULL);
SELECT singletable.transact_write('[]');
SELECT singletable.transact_write('{}');
SELECT singletable.transact_write('[1]');
SELECT singletable.transact_write('[{}]');
SELECT singletable.transact_write('[{"Put": {"TableName": "ledger", "Item": {"id": "X1"}},
  "Delete": {"TableName": "ledger", "Key": {"id": "X1"}}}]');
SELECT singletable.transact_write('[{"Patch": {"TableName": "ledger", "Key": {"id": "X1"}}}]');
SELECT singletable.transact_write('[{"Put": {"Item": {"id": "X1"}}}]');
SELECT singletable.transact_write('[{"Put": {"TableName": "nosuch", "Item": {"id": "X1"}}}]');
SELECT singletable.transact_write('[{"Put": {"TableName": "ledger", "Item": {"id": "X1"}, "Key": {"id": "X1"}}}]');
SELECT singletable.transact_write('[{"Update": {"TableName": "ledger", "Key": {"id": "X1"}}}]');
SELECT singletable.transact_write('[{"Update": {"TableName": "ledger", "Key": {"id": "X1"}, "UpdateExpression": "SET id = :v",
  "ExpressionAttributeValues": {":v": 1}}}]');
SELECT singletable.transact_write('[{"ConditionCheck": {"TableName": "ledger", "Key": {"id": "X1"}}}]');
SELECT singletable.transact_write('[{"Delete": {"TableName": "ledger", "Key": {"id": 5}}}]');
SELECT singletable.transact_write('[{"Put": {"TableName": "ledger", "Item": {"id": "X1"},
  "ConditionExpression": "attribute_not_exists(id)", "ExpressionAttributeValues": {":unused": 1}}}]');
SELECT singletable.transact_write('[{"Put": {"TableName": "ledger", "Item": {"id": "X1"},
  "ConditionExpression": "attribute_not_exists(id) AND"}}]');
SELECT singletable.transact_write('[{"Put": {"TableName": "ledger", "Item": {"id": "X1"},
  "ReturnValuesOnConditionCheckFailure": "ALL_NEW"}}]');
-- two actions on one item
SELECT singletable.transact_write('[
  {"Put": {"TableName": "ledger", "Item": {"id": "X1"}}},
  {"Put": {"TableName": "ledger", "Item": {"id": "X2"}}},
  {"ConditionCheck": {"TableName": "ledger", "Key": {"id": "X1"}, "ConditionExpression": "attribute_not_exists(id)"}}]');
-- over the limit (a setting, DynamoDB's 100 by default)
SHOW singletable.transact_max_items;
SET singletable.transact_max_items = 2;
SELECT singletable.transact_write('[
  {"Put": {"TableName": "ledger", "Item": {"id": "X1"}}},
  {"Put": {"TableName": "ledger", "Item": {"id": "X2"}}},
  {"Put": {"TableName": "ledger", "Item": {"id": "X3"}}}]');
SELECT singletable.transact_get('[
  {"Get": {"TableName": "ledger", "Key": {"id": "X1"}}},
  {"Get": {"TableName": "ledger", "Key": {"id": "X2"}}},
  {"Get": {"TableName": "ledger", "Key": {"id": "X3"}}}]');
RESET singletable.transact_max_items;
SELECT count(*) FROM ledger WHERE pk LIKE 'X%';

SELECT singletable.transact_get('[]');
SELECT singletable.transact_get('[{"Put": {"TableName": "ledger", "Item": {"id": "X1"}}}]');
SELECT singletable.transact_get('[{"Get": {"TableName": "ledger", "Key": {"id": "X1"}, "ConsistentRead": true}}]');
SELECT singletable.transact_get('[{"Get": {"TableName": "ledger", "Key": {"id": "X1"}}},
  {"Get": {"TableName": "ledger", "Key": {"id": "X1"}}}]');
SELECT singletable.transact_get('[{"Get": {"TableName": "ledger"}}]');

-- Inside a caller's transaction, the writes roll back with it.
BEGIN;
SELECT singletable.transact_write('[{"Put": {"TableName": "ledger", "Item": {"id": "R1"}}}]');
ROLLBACK;
SELECT count(*) FROM ledger WHERE pk = 'R1';
RESET search_path;
DROP SCHEMA transact_test CASCADE;
