-- singletable install script, part 20: the expression language helpers.
-- The same parser and evaluator the item and query functions use, callable
-- from plain SQL (src/expr_sql.c; the language itself is src/expr_*.c).
--
-- They keep the default EXECUTE for PUBLIC, on purpose: they read no table
-- and write nothing, like jsonb's own functions, and their cost is bounded
-- as theirs is (O(n log n) in the size of the item and values, interruptible
-- by statement_timeout and pg_cancel_backend).  apply_update checks its
-- result as an item, so it cannot build what the item functions refuse.

-- Does the item satisfy a condition expression?  A NULL item is "no such
-- item": attribute_not_exists(...) is true, comparisons are false.
CREATE FUNCTION singletable.matches(item jsonb, condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL)
RETURNS boolean
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_matches';

COMMENT ON FUNCTION singletable.matches(jsonb, text, jsonb, jsonb) IS
	'evaluate a DynamoDB condition expression against an item';

-- The item after an update expression (SET, REMOVE, ADD, DELETE).  A NULL
-- item is updated as the empty item.
CREATE FUNCTION singletable.apply_update(item jsonb, update text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_apply_update';

COMMENT ON FUNCTION singletable.apply_update(jsonb, text, jsonb, jsonb) IS
	'apply a DynamoDB update expression to an item';

-- The parts of an item a projection expression selects.
CREATE FUNCTION singletable.project(item jsonb, projection text,
	names jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_project';

COMMENT ON FUNCTION singletable.project(jsonb, text, jsonb) IS
	'apply a DynamoDB projection expression to an item';

-- How a query reads a key condition expression: the partition key equality
-- and the optional sort key condition, placeholders substituted.
CREATE FUNCTION singletable.key_condition(condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_key_condition';

COMMENT ON FUNCTION singletable.key_condition(text, jsonb, jsonb) IS
	'parse a DynamoDB key condition expression';
