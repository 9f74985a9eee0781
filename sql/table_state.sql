-- A session's per-table state (table_state.c: the table's facts, its kept
-- plans, the direct path's verdict, the decoder's view of it) follows every
-- change of the table between two calls in the same session.
SET client_min_messages = warning;
SELECT singletable.create_table('ts_app');
SELECT singletable.create_index('ts_app', 'GSI1', 'G');

-- fill every slot of the table: a direct put, a read through a kept plan
SELECT singletable.put_item('ts_app', '{"PK": "a", "SK": "1", "G": "g"}');
SELECT singletable.get_item('ts_app', '{"PK": "a", "SK": "1"}');

-- drop_index, then create_index under the same name, between two puts: the
-- second put maintains the new index table, not the dropped one
SELECT singletable.drop_index('ts_app', 'GSI1');
SELECT singletable.put_item('ts_app', '{"PK": "b", "SK": "1", "G": "g"}');
SELECT singletable.create_index('ts_app', 'GSI1', 'G') IS NOT NULL AS created;
SELECT singletable.put_item('ts_app', '{"PK": "c", "SK": "1", "G": "g"}');
SELECT pk, sk FROM "ts_app__GSI1" ORDER BY pk;

-- a BEFORE trigger added between two puts sends the second one through
-- the SQL upsert, which fires it; dropped, the direct path comes back
CREATE FUNCTION ts_stamp() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN NEW.item := NEW.item || '{"stamped": true}'; RETURN NEW; END $$;
CREATE TRIGGER ts_stamp BEFORE INSERT OR UPDATE ON ts_app FOR EACH ROW EXECUTE FUNCTION ts_stamp();
SELECT singletable.put_item('ts_app', '{"PK": "d", "SK": "1"}');
DROP TRIGGER ts_stamp ON ts_app;
SELECT singletable.put_item('ts_app', '{"PK": "e", "SK": "1"}');
SELECT pk, item->'stamped' AS stamped FROM ts_app WHERE pk IN ('d', 'e') ORDER BY pk;

-- a renamed table: the kept plans are prepared again under the new name
ALTER TABLE ts_app RENAME TO ts_app2;
SELECT singletable.get_item('ts_app2', '{"PK": "c", "SK": "1"}');
SELECT singletable.put_item('ts_app2', '{"PK": "f", "SK": "1", "G": "g"}');
SELECT singletable.delete_item('ts_app2', '{"PK": "a", "SK": "1"}');
SELECT pk FROM ts_app2 ORDER BY pk;
SELECT singletable.drop_table('ts_app2');

-- The decoder's entry of an index table depends on its base table's
-- catalog row: a change of the base table's stream view in the middle of
-- what one call decodes reaches the index table's records too.
SELECT singletable.create_table('ts_s');
SELECT singletable.create_index('ts_s', 'GSI1', 'G');
SELECT 'init' FROM pg_create_logical_replication_slot('st_table_state', 'singletable');
SELECT singletable.put_item('ts_s', '{"PK": "a", "SK": "1", "G": "g"}');
BEGIN;
UPDATE singletable.tables SET stream_view = 'KEYS_ONLY' WHERE relid = 'ts_s'::regclass;
ALTER TABLE ts_s SET (fillfactor = 90);
COMMIT;
SELECT singletable.put_item('ts_s', '{"PK": "b", "SK": "1", "G": "g"}');
SELECT data::jsonb->>'indexName' AS index, data::jsonb->'dynamodb'->'Keys'->'PK' AS pk,
       data::jsonb->'dynamodb'->>'StreamViewType' AS view,
       data::jsonb->'dynamodb' ? 'NewImage' AS has_new_image
FROM pg_logical_slot_get_changes('st_table_state', NULL, NULL, 'include_indexes', 'on');
SELECT pg_drop_replication_slot('st_table_state');
SELECT singletable.drop_table('ts_s');
