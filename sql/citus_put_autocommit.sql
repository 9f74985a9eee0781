-- singletable.citus_put_autocommit (auto, on or off; a boolean's spellings
-- too) says when a put alone in its statement commits on its Citus worker
-- without a transaction block (test/citus/04_sole_put.pl).
-- On a table Citus does not distribute it changes nothing: the put is the
-- same local write, and a failing statement of several puts writes none.
SET client_min_messages = warning;
SELECT singletable.create_table('autocommit');
SHOW singletable.citus_put_autocommit;
SET singletable.citus_put_autocommit = on;
SELECT singletable.put_item('autocommit', '{"PK": "a", "SK": "1"}');
SELECT singletable.put_item('autocommit', jsonb_build_object('PK', 'b', 'SK', CASE WHEN i = 2 THEN NULL ELSE 'x' END))
  FROM generate_series(1, 2) i;
SELECT item FROM autocommit ORDER BY pk, sk;
SET singletable.citus_put_autocommit = false;
SHOW singletable.citus_put_autocommit;
SET singletable.citus_put_autocommit = maybe;
RESET singletable.citus_put_autocommit;
SELECT singletable.drop_table('autocommit');
