-- The change stream's compact envelope (envelope=compact): the same changes
-- as the default DynamoDB Streams record, with the transaction's fields on
-- the first record of each transaction only and no per-record constants.
SET client_min_messages = warning;

SELECT singletable.create_table('env');
SELECT 'init' FROM pg_create_logical_replication_slot('st_envelope', 'singletable');

-- One transaction of three changes, a key-changing UPDATE (REMOVE + INSERT),
-- a delete and a TRUNCATE, each in its own transaction.
BEGIN;
SELECT singletable.put_item('env', '{"PK": "u#1", "SK": "A", "x": 1}');
SELECT singletable.put_item('env', '{"PK": "u#1", "SK": "B", "x": 2}');
SELECT singletable.put_item('env', '{"PK": "u#1", "SK": "A", "x": 3}');
COMMIT;
UPDATE env SET item = item || '{"SK": "C"}' WHERE sk = 'B';
SELECT singletable.delete_item('env', '{"PK": "u#1", "SK": "A"}');
TRUNCATE env;

-- Compact records, the run-dependent fields replaced by whether they are
-- there: only each transaction's first record carries them.
SELECT jsonb_set(jsonb_set(jsonb_set(r, '{transactionId}', to_jsonb(r ? 'transactionId'), false),
                           '{commitLsn}', to_jsonb(r ? 'commitLsn'), false),
                 '{commitTime}', to_jsonb(r ? 'commitTime'), false) AS record
  FROM (SELECT data::jsonb AS r
          FROM pg_logical_slot_peek_changes('st_envelope', NULL, NULL, 'envelope', 'compact')) s;

-- The compact record is the default one without its constant fields: for
-- every change, eventName, tables, Keys and images are the same, and the
-- default record's SequenceNumber is the commit LSN in 20 digits followed by
-- "sequence" in 10.
WITH d AS (SELECT row_number() OVER () AS n, data::jsonb AS r
             FROM pg_logical_slot_peek_changes('st_envelope', NULL, NULL)),
     c AS (SELECT row_number() OVER () AS n, data::jsonb AS r
             FROM pg_logical_slot_peek_changes('st_envelope', NULL, NULL, 'envelope', 'compact'))
SELECT count(*) AS changes,
       count(*) FILTER (WHERE d.r->>'eventName' = c.r->>'eventName'
                          AND d.r->>'tableName' = c.r->>'tableName'
                          AND d.r->>'schemaName' = c.r->>'schemaName'
                          AND d.r->'dynamodb'->'Keys' = c.r->'Keys'
                          AND (d.r->'dynamodb'->'NewImage') IS NOT DISTINCT FROM (c.r->'NewImage')
                          AND (d.r->'dynamodb'->'OldImage') IS NOT DISTINCT FROM (c.r->'OldImage')) AS same_change,
       count(*) FILTER (WHERE d.r->'dynamodb'->>'SequenceNumber' =
                              lpad((pg_lsn(d.r->>'commitLsn') - '0/0')::text, 20, '0')
                              || lpad(c.r->>'sequence', 10, '0')) AS same_sequence,
       sum(length(d.r::text)) > sum(length(c.r::text)) AS compact_is_smaller
  FROM d JOIN c USING (n);

-- With transaction markers, BEGIN and COMMIT lines keep their fields.
SELECT data::jsonb ->> 'transaction' AS marker, data::jsonb ? 'transactionId' AS has_fields,
       data::jsonb ->> 'eventName' AS event
  FROM pg_logical_slot_peek_changes('st_envelope', NULL, NULL, 'envelope', 'compact',
                                    'transaction_markers', 'on')
 LIMIT 5;

-- The typed format applies to the compact envelope too.
SELECT data::jsonb -> 'NewImage' AS new_image
  FROM pg_logical_slot_peek_changes('st_envelope', NULL, NULL, 'envelope', 'COMPACT', 'format', 'typed')
 LIMIT 1;

-- envelope=dynamodb is the default record.
SELECT count(*) FROM pg_logical_slot_peek_changes('st_envelope', NULL, NULL, 'envelope', 'dynamodb')
 WHERE data::jsonb ? 'eventID' AND data::jsonb -> 'dynamodb' ? 'SequenceNumber';

-- A bad value is an error before anything is decoded.
SELECT count(*) FROM pg_logical_slot_peek_changes('st_envelope', NULL, NULL, 'envelope', 'small');

SELECT pg_drop_replication_slot('st_envelope');
SELECT singletable.drop_table('env');
