-- The change stream keeps binary and sets: plain images carry the tags
-- ({"$B": ..}, {"$SS": [..]} ...), typed images DynamoDB's B, SS, NS, BS
-- (numbers normalised, "1.0" is "1"), and binary keys are B in Keys.
SET client_min_messages = warning;

CREATE FUNCTION types_stream_peek(slot text, VARIADIC opts text[] DEFAULT '{}')
RETURNS SETOF jsonb LANGUAGE sql AS $$
	SELECT (data::jsonb - 'eventID' - 'transactionId' - 'commitLsn' - 'commitTime')
		#- '{dynamodb,ApproximateCreationDateTime}' #- '{dynamodb,SequenceNumber}'
	FROM pg_logical_slot_peek_changes(slot, NULL, NULL, VARIADIC opts)
$$;

SELECT singletable.create_table('tbin', partition_key => 'id', partition_key_type => 'B',
                                sort_key => 'n', sort_key_type => 'N');
SELECT 'init' FROM pg_create_logical_replication_slot('st_types', 'singletable');

SELECT singletable.put_item('tbin', '{"id": {"$B": "AAH/"}, "n": 1.0, "ss": {"$SS": ["b", "a"]},
	"ns": {"$NS": [1.50, 1e2]}, "bs": {"$BS": ["YQ=="]}, "m": {"$M": {"$B": "a map"}}, "l": [{"$B": ""}]}');
SELECT singletable.update_item('tbin', '{"id": {"$B": "AAH/"}, "n": 1}', 'DELETE ss :s',
	"values" => '{":s": {"$SS": ["a", "b"]}}');
SELECT singletable.delete_item('tbin', '{"id": {"$B": "AAH/"}, "n": 1}');

SELECT * FROM types_stream_peek('st_types');
SELECT * FROM types_stream_peek('st_types', 'format', 'typed');
SELECT * FROM types_stream_peek('st_types', 'format', 'typed', 'view', 'KEYS_ONLY');

SELECT pg_drop_replication_slot('st_types');
SELECT singletable.drop_table('tbin');
DROP FUNCTION types_stream_peek(text, text[]);
