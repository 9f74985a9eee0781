-- Part 10: item validation and key derivation, used by every table's
-- CHECK constraint and generated key columns.  IMMUTABLE because the key
-- of an item depends on the item alone.  item_check reads no setting: the
-- item size limit is checked by the write calls, so a restore or a
-- replication subscriber accepts every row its source accepted.
CREATE FUNCTION singletable.item_check(item jsonb) RETURNS boolean
	AS 'MODULE_PATHNAME', 'st_sql_item_check'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.key_s(item jsonb, attr text, is_partition boolean) RETURNS text
	AS 'MODULE_PATHNAME', 'st_sql_key_s'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.key_n(item jsonb, attr text, is_partition boolean) RETURNS numeric
	AS 'MODULE_PATHNAME', 'st_sql_key_n'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.key_b(item jsonb, attr text, is_partition boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'st_sql_key_b'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
