-- The change stream and global secondary indexes: an index table's changes
-- are left out unless include_indexes is on; then they carry indexName and
-- the index keys followed by the item's own.
SET client_min_messages = warning;
SELECT singletable.create_table('ix_app');
SELECT singletable.create_index('ix_app', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT 'init' FROM pg_create_logical_replication_slot('st_indexes', 'singletable');

SELECT singletable.put_item('ix_app', '{"PK": "u#1", "SK": "A", "GSI1PK": "g", "GSI1SK": "1", "x": 1}');
SELECT singletable.put_item('ix_app', '{"PK": "u#2", "SK": "A", "x": 1}');

-- by default only the base table
SELECT data::jsonb->>'eventName' AS event, data::jsonb->>'tableName' AS tbl,
       data::jsonb->>'indexName' AS index, data::jsonb->'dynamodb'->'Keys' AS keys
FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL);

-- with the index table (the sparse index holds only u#1)
SELECT data::jsonb->>'eventName' AS event, data::jsonb->>'tableName' AS tbl,
       data::jsonb->>'indexName' AS index, data::jsonb->'dynamodb'->'Keys' AS keys,
       data::jsonb->'dynamodb'->'NewImage' AS new_image
FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL, 'include_indexes', 'on');

-- the tables option selects a base table with its indexes
SELECT count(*) FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL,
	'include_indexes', 'on', 'tables', 'ix_app');

-- the records of the slot, with the index tables', in short
CREATE FUNCTION ix_changes() RETURNS TABLE (event text, index text, keys jsonb, old_image jsonb)
LANGUAGE sql AS $$
SELECT data::jsonb->>'eventName', data::jsonb->>'indexName',
       data::jsonb->'dynamodb'->'Keys', data::jsonb->'dynamodb'->'OldImage'
FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL, 'include_indexes', 'on');
$$;

-- an index table keeps its primary key as replica identity (the base
-- table has FULL): its old versions are not logged whole
SELECT c.relname, c.relreplident FROM pg_class c
WHERE c.oid IN ('ix_app'::regclass, '"ix_app__GSI1"'::regclass) ORDER BY 1;

-- a new GSI key updates the index entry in place (one update, no delete
-- or insert), which the stream shows as the index's REMOVE and INSERT;
-- the REMOVE's Keys come from the key columns, and it has no OldImage
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
-- (the counts of earlier transactions leave the xact view when flushed)
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT singletable.put_item('ix_app', '{"PK": "u#1", "SK": "A", "GSI1PK": "h", "GSI1SK": "2", "x": 2}');
SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables WHERE relname = 'ix_app__GSI1';
COMMIT;
SELECT data::jsonb->>'eventName' AS event, data::jsonb->>'indexName' AS index,
       data::jsonb->'dynamodb'->'Keys' AS keys, data::jsonb->'dynamodb' ? 'OldImage' AS has_old,
       data::jsonb->'dynamodb'->'NewImage' AS new_image
FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL, 'include_indexes', 'on');
SELECT singletable.query('ix_app', 'GSI1PK = :p', "values" => '{":p": "g"}', index => 'GSI1')->'Items' AS old_key,
       singletable.query('ix_app', 'GSI1PK = :p', "values" => '{":p": "h"}', index => 'GSI1')->'Items' AS new_key;

-- a projection change with the same keys: MODIFY, without OldImage
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
SELECT singletable.put_item('ix_app', '{"PK": "u#1", "SK": "A", "GSI1PK": "h", "GSI1SK": "2", "x": 3}');
SELECT * FROM ix_changes();

-- with REPLICA IDENTITY FULL set by the user, the index's records carry
-- OldImage again: a key change, then a delete
ALTER TABLE "ix_app__GSI1" REPLICA IDENTITY FULL;
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
SELECT singletable.put_item('ix_app', '{"PK": "u#1", "SK": "A", "GSI1PK": "g", "GSI1SK": "1", "x": 1}');
SELECT * FROM ix_changes();
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
SELECT singletable.delete_item('ix_app', '{"PK": "u#1", "SK": "A"}');
SELECT * FROM ix_changes();

-- back to the primary key: deleting an item removes its index entry, and
-- the index's REMOVE has the keys (from the key columns) and no OldImage
ALTER TABLE "ix_app__GSI1" REPLICA IDENTITY DEFAULT;
SELECT singletable.put_item('ix_app', '{"PK": "u#1", "SK": "A", "GSI1PK": "g", "GSI1SK": "1", "x": 1}');
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
SELECT singletable.delete_item('ix_app', '{"PK": "u#1", "SK": "A"}');
SELECT * FROM ix_changes();

-- a base table whose user set REPLICA IDENTITY DEFAULT: a plain UPDATE
-- that changes the key is still a REMOVE of the old key (from the key
-- columns the WAL then carries) and an INSERT of the new one
SELECT singletable.create_table('ix_ri');
ALTER TABLE ix_ri REPLICA IDENTITY DEFAULT;
SELECT singletable.put_item('ix_ri', '{"PK": "a", "SK": "1", "v": 1}');
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
UPDATE ix_ri SET item = item || '{"SK": "2"}';
UPDATE ix_ri SET item = item || '{"v": 2}';
SELECT data::jsonb->>'eventName' AS event, data::jsonb->'dynamodb'->'Keys' AS keys,
       data::jsonb->'dynamodb' ? 'OldImage' AS has_old, data::jsonb->'dynamodb'->'NewImage' AS new_image
FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL);
-- with NOTHING the WAL has no old key: the key change is a MODIFY of the
-- new key, and the delete makes no record
ALTER TABLE ix_ri REPLICA IDENTITY NOTHING;
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
UPDATE ix_ri SET item = item || '{"SK": "3"}';
DELETE FROM ix_ri;
SELECT data::jsonb->>'eventName' AS event, data::jsonb->'dynamodb'->'Keys' AS keys,
       data::jsonb->'dynamodb' ? 'OldImage' AS has_old, data::jsonb->'dynamodb'->'NewImage' AS new_image
FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL);
SELECT singletable.drop_table('ix_ri');

DROP FUNCTION ix_changes();
SELECT pg_drop_replication_slot('st_indexes');
SELECT singletable.drop_table('ix_app');
