-- Scale-out on Citus in a database without Citus: distribute_table and
-- sync_workers refuse with 0A000, rebuild_indexes is for distributed tables
-- only, and singletable.create_distributed makes create_table fail rather
-- than quietly create a local table.
SELECT singletable.create_table('citus_absent');
SELECT singletable.distribute_table('citus_absent');
SELECT singletable.distribute_table('pg_class');
SELECT singletable.distribute_table(NULL);
SELECT singletable.sync_workers();
SELECT singletable.rebuild_indexes('citus_absent');
SET singletable.create_distributed = on;
SELECT singletable.create_table('citus_absent2');
RESET singletable.create_distributed;
SELECT to_regclass('citus_absent2') IS NULL AS not_created;
-- the table is untouched: its key columns are still generated
SELECT attname, attgenerated FROM pg_attribute
 WHERE attrelid = 'citus_absent'::regclass AND attnum > 0 ORDER BY attnum;
SELECT singletable.drop_table('citus_absent');
