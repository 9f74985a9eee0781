-- The change stream's text, byte for byte: records read as text (not
-- through jsonb, which would hide spacing, key order and escapes), with
-- only the run-dependent digits masked (LSNs, transaction ids, times).
-- Tricky items in every format, envelope and view, on a base table, a
-- table whose DynamoDB name and schema need escaping, and a GSI table.
SET client_min_messages = warning;

CREATE FUNCTION stream_text(slot text, VARIADIC opts text[] DEFAULT '{}')
RETURNS SETOF text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
		data,
		'"eventID":"[0-9A-F]{16}', '"eventID":"<lsn>', 'g'),
		'"SequenceNumber":"[0-9]{20}', '"SequenceNumber":"<lsn>', 'g'),
		'"transactionId":[0-9]+', '"transactionId":<xid>', 'g'),
		'"commitLsn":"[0-9A-F]+/[0-9A-F]+"', '"commitLsn":"<lsn>"', 'g'),
		'"commitTime":"[0-9T:.Z-]+"', '"commitTime":"<time>"', 'g'),
		'"ApproximateCreationDateTime":[0-9]+', '"ApproximateCreationDateTime":<epoch>', 'g')
	FROM pg_logical_slot_peek_changes(slot, NULL, NULL, VARIADIC opts)
$$;

CREATE SCHEMA "sch ""q""";
SELECT singletable.create_table('bytes');
SELECT singletable.create_table('"sch ""q"""."t\n"', partition_key => 'id',
                                partition_key_type => 'N', sort_key => NULL);
SELECT singletable.create_table('bkeys', partition_key_type => 'B', sort_key_type => 'N');
SELECT singletable.create_index('bytes', 'by_status', partition_key => 'status');

SELECT 'init' FROM pg_create_logical_replication_slot('st_bytes', 'singletable');

-- binary, sets, nested maps and lists, unicode and escapes, big and small
-- numbers, booleans and nulls; a MODIFY, a key-changing UPDATE, a delete;
-- two tables in one transaction.
SELECT singletable.put_item('bytes', $j${"PK": "u\"1\\\n\t\u0001", "SK": "é€😀 ctl\u001f",
	"status": "ok", "bin": {"$B": "AAH/"}, "ss": {"$SS": ["b", "a"]},
	"ns": {"$NS": [1.50, 1e2, -0.000000001]}, "bs": {"$BS": ["YQ==", ""]},
	"m": {"a": {"b": {"c": [1, "two", {"$B": ""}, null, true, false]}}, "k\u0002ey\u007f": "ctl"},
	"big": 123456789012345678901234567890123456, "neg": -1e-30, "frac": 0.1,
	"int": 42, "zero": 0, "ok": true, "no": false, "nil": null,
	"long": "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\"end"}$j$);
SELECT singletable.update_item('bytes', $j${"PK": "u\"1\\\n\t\u0001", "SK": "é€😀 ctl\u001f"}$j$,
	'SET #s = :s, big = :big', "names" => '{"#s": "status"}',
	"values" => '{":s": "done", ":big": -98765432109876543210.000001}');
UPDATE bytes SET item = item || '{"SK": "moved"}' WHERE pk = E'u"1\\\n\t\u0001';
BEGIN;
SELECT singletable.put_item('"sch ""q"""."t\n"', '{"id": 12.50, "v": "x"}');
SELECT singletable.put_item('bkeys', '{"PK": {"$B": "AAH/"}, "SK": 1e3}');
SELECT singletable.delete_item('bytes', '{"PK": "u\"1\\\n\t\u0001", "SK": "moved"}');
COMMIT;

-- The default envelope, plain and typed.
SELECT * FROM stream_text('st_bytes');
SELECT * FROM stream_text('st_bytes', 'format', 'typed');
-- The compact envelope, plain and typed.
SELECT * FROM stream_text('st_bytes', 'envelope', 'compact');
SELECT * FROM stream_text('st_bytes', 'envelope', 'compact', 'format', 'typed');
-- Other views, with the GSI's table and transaction markers.
SELECT * FROM stream_text('st_bytes', 'view', 'KEYS_ONLY', 'include_indexes', 'on');
SELECT * FROM stream_text('st_bytes', 'view', 'OLD_IMAGE', 'format', 'typed',
                          'include_indexes', 'on', 'transaction_markers', 'on');
SELECT * FROM stream_text('st_bytes', 'view', 'NEW_IMAGE', 'envelope', 'compact',
                          'include_indexes', 'on', 'transaction_markers', 'on');

-- A catalog change between two changes of the same table in one session:
-- the record after it carries the table's new name.
SELECT count(*) > 0 FROM pg_logical_slot_get_changes('st_bytes', NULL, NULL);
SELECT singletable.put_item('bytes', '{"PK": "v", "SK": "1", "a": 1}');
ALTER TABLE bytes RENAME TO bytes_renamed;
SELECT singletable.put_item('bytes_renamed', '{"PK": "v", "SK": "1", "a": 2}');
ALTER TABLE bytes_renamed RENAME TO bytes;
SELECT singletable.put_item('bytes', '{"PK": "v", "SK": "1", "a": 3}');
SELECT * FROM stream_text('st_bytes');

SELECT pg_drop_replication_slot('st_bytes');
