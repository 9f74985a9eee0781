-- Index tables follow ALTER TABLE of their base table: a new owner, a new
-- name (<table>__<index>), a new schema, LOGGED/UNLOGGED.  The catalog
-- finds index tables by OID, so the indexes keep working throughout.
CREATE SCHEMA hardening_index;
SET search_path = hardening_index;
CREATE ROLE regress_hardening_owner;
CREATE ROLE regress_hardening_a;
CREATE ROLE regress_hardening_b;
GRANT regress_hardening_b TO regress_hardening_a;
GRANT USAGE, CREATE ON SCHEMA hardening_index
	TO regress_hardening_owner, regress_hardening_a, regress_hardening_b;

-- The index tables of a table: name, schema, owner, persistence.
CREATE FUNCTION pg_temp.index_tables(tbl regclass)
	RETURNS TABLE (index_name text, index_table name, schema name, owner name, persistence "char")
	LANGUAGE sql AS $$
	SELECT i.index_name, c.relname, n.nspname, pg_get_userbyid(c.relowner), c.relpersistence
	  FROM singletable.indexes i
	  JOIN pg_class c ON c.oid = i.index_relid
	  JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE i.relid = tbl
	 ORDER BY 1
$$;

SELECT singletable.create_table('orders');
SELECT singletable.create_index('orders', 'GSI1', 'G');
SELECT singletable.create_index('orders', 'ByStatus', 'status');
SELECT singletable.put_item('orders', '{"PK": "o#1", "SK": "v", "G": "c#1", "status": "open"}');

--
-- OWNER TO: the index tables get the new owner, so writes keep maintaining
-- the indexes and index reads keep working.
--
ALTER TABLE orders OWNER TO regress_hardening_owner;
SELECT * FROM pg_temp.index_tables('orders');
SELECT singletable.put_item('orders', '{"PK": "o#2", "SK": "v", "G": "c#1", "status": "open"}');
SELECT singletable.query('orders', 'G = :g', "values" => '{":g": "c#1"}', index => 'GSI1') -> 'Count' AS count;
-- the new owner, not a superuser, writes and reads too
SET ROLE regress_hardening_owner;
SELECT singletable.put_item('orders', '{"PK": "o#3", "SK": "v", "G": "c#1", "status": "shipped"}');
SELECT singletable.query('orders', '#s = :s', names => '{"#s": "status"}', "values" => '{":s": "open"}', index => 'ByStatus') -> 'Count' AS count;
RESET ROLE;

-- A role that is not a superuser gives its table to a role it belongs to:
-- the index tables go with it.
SET ROLE regress_hardening_a;
SELECT singletable.create_table('given');
SELECT singletable.create_index('given', 'GSI1', 'G');
ALTER TABLE given OWNER TO regress_hardening_b;
SELECT * FROM pg_temp.index_tables('given');
SELECT singletable.put_item('given', '{"PK": "g#1", "SK": "v", "G": "x"}');
SELECT singletable.query('given', 'G = :g', "values" => '{":g": "x"}', index => 'GSI1') -> 'Count' AS count;
RESET ROLE;

-- An index table whose owner differs from its table's (changed by hand, or
-- left behind by an ALTER TABLE ... OWNER TO of an earlier version) fails
-- writes; setting the table's owner again, even to the same role, repairs it.
ALTER TABLE "orders__GSI1" OWNER TO regress_hardening_a;
SELECT singletable.put_item('orders', '{"PK": "o#4", "SK": "v", "G": "c#2"}');
ALTER TABLE orders OWNER TO regress_hardening_owner;
SELECT * FROM pg_temp.index_tables('orders');
SELECT singletable.put_item('orders', '{"PK": "o#4", "SK": "v", "G": "c#2"}');
-- the owner of the base table who does not own an index table cannot give
-- the table away (nothing changes)
ALTER TABLE "given__GSI1" OWNER TO regress_hardening_owner;
SET ROLE regress_hardening_a;
ALTER TABLE given OWNER TO regress_hardening_a;
RESET ROLE;
SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'given'::regclass;
SELECT * FROM pg_temp.index_tables('given');
DROP TABLE given;

--
-- RENAME: the index tables are renamed to <new name>__<index>, which frees
-- the old names for a new table and its indexes.
--
ALTER TABLE orders RENAME TO purchases;
SELECT * FROM pg_temp.index_tables('purchases');
SELECT singletable.query('purchases', 'G = :g', "values" => '{":g": "c#1"}', index => 'GSI1') -> 'Count' AS count;
SELECT singletable.create_table('orders');
SELECT singletable.create_index('orders', 'GSI1', 'G');
DROP TABLE orders;
-- A name that is taken, or that would be longer than 63 bytes: that index
-- table keeps its name (a NOTICE says so) and the index keeps working.
CREATE TABLE "sales__GSI1" (x int);
ALTER TABLE purchases RENAME TO sales;
SELECT * FROM pg_temp.index_tables('sales');
SELECT singletable.query('sales', 'G = :g', "values" => '{":g": "c#1"}', index => 'GSI1') -> 'Count' AS count;
ALTER TABLE sales RENAME TO sales_with_a_name_so_long_that_no_index_table_name_fits_here;
SELECT * FROM pg_temp.index_tables('sales_with_a_name_so_long_that_no_index_table_name_fits_here');
-- the next rename catches up
ALTER TABLE sales_with_a_name_so_long_that_no_index_table_name_fits_here RENAME TO sales2;
SELECT * FROM pg_temp.index_tables('sales2');
DROP TABLE "sales__GSI1";

--
-- SET SCHEMA: the index tables move with their table, so the old schema
-- keeps nothing of it (and can be dropped without CASCADE).
--
CREATE SCHEMA hardening_index_2;
CREATE SCHEMA hardening_index_3;
ALTER TABLE sales2 SET SCHEMA hardening_index_2;
SELECT * FROM pg_temp.index_tables('hardening_index_2.sales2');
SELECT singletable.query('hardening_index_2.sales2', 'G = :g', "values" => '{":g": "c#1"}', index => 'GSI1') -> 'Count' AS count;
SELECT singletable.put_item('hardening_index_2.sales2', '{"PK": "o#5", "SK": "v", "G": "c#1"}');
SELECT singletable.query('hardening_index_2.sales2', 'G = :g', "values" => '{":g": "c#1"}', index => 'GSI1') -> 'Count' AS count;
SELECT singletable.create_table('hardening_index_3.moved');
SELECT singletable.create_index('hardening_index_3.moved', 'GSI1', 'G');
ALTER TABLE hardening_index_3.moved SET SCHEMA hardening_index_2;
DROP SCHEMA hardening_index_3;
-- a name taken in the new schema: that index table stays (a NOTICE says so)
CREATE TABLE "sales2__ByStatus" (x int);
ALTER TABLE hardening_index_2.sales2 SET SCHEMA hardening_index;
SELECT * FROM pg_temp.index_tables('sales2');
SELECT singletable.query('sales2', '#s = :s', names => '{"#s": "status"}', "values" => '{":s": "open"}', index => 'ByStatus') -> 'Count' AS count;
DROP TABLE "sales2__ByStatus";

--
-- SET UNLOGGED / SET LOGGED: the index tables follow, so that a crash
-- cannot leave an index holding items its table lost, or lose the entries
-- of items its table kept.
--
ALTER TABLE sales2 SET UNLOGGED;
SELECT * FROM pg_temp.index_tables('sales2');
ALTER TABLE sales2 SET LOGGED;
SELECT * FROM pg_temp.index_tables('sales2');

-- Other ALTER TABLE commands leave the index tables alone.
ALTER TABLE "sales2__GSI1" RENAME TO renamed_by_hand;
ALTER TABLE sales2 SET (fillfactor = 90);
SELECT * FROM pg_temp.index_tables('sales2');
SELECT singletable.query('sales2', 'G = :g', "values" => '{":g": "c#1"}', index => 'GSI1') -> 'Count' AS count;

DROP SCHEMA hardening_index, hardening_index_2 CASCADE;
DROP ROLE regress_hardening_owner, regress_hardening_a, regress_hardening_b;
