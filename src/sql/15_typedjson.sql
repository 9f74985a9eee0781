-- Part 15: DynamoDB typed JSON ({"S": ..}, {"N": ..}, {"M": ..} ...) to and
-- from plain JSON items, for whole items (attribute maps) and single values.
CREATE FUNCTION singletable.to_dynamodb_json(item jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_to_dynamodb_json'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.from_dynamodb_json(item jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_from_dynamodb_json'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.to_dynamodb_value(v jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_to_dynamodb_value'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.from_dynamodb_value(v jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_from_dynamodb_value'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The text of to_dynamodb_json(item), printed straight from the item (what
-- the change stream uses for typed images).
CREATE FUNCTION singletable.to_dynamodb_json_text(item jsonb) RETURNS text
	AS 'MODULE_PATHNAME', 'st_sql_to_dynamodb_json_text'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
