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

-- deleting the item removes its index entry; the index table's REMOVE
-- carries the keys and the old image (index tables have REPLICA IDENTITY FULL)
SELECT 'consumed' FROM pg_logical_slot_get_changes('st_indexes', NULL, NULL) LIMIT 1;
SELECT singletable.delete_item('ix_app', '{"PK": "u#1", "SK": "A"}');
SELECT data::jsonb->>'eventName' AS event, data::jsonb->>'indexName' AS index,
       data::jsonb->'dynamodb'->'Keys' AS keys, data::jsonb->'dynamodb'->'OldImage' AS old_image
FROM pg_logical_slot_peek_changes('st_indexes', NULL, NULL, 'include_indexes', 'on');

SELECT pg_drop_replication_slot('st_indexes');
SELECT singletable.drop_table('ix_app');
