-- ClientRequestToken is per role: the same token from another role is
-- another token, and a role sees and writes only its own token rows
-- (row-level security on singletable.client_request_tokens).
SET client_min_messages = warning;
CREATE SCHEMA client_tokens_roles;
SET search_path = client_tokens_roles, public;
DROP ROLE IF EXISTS tok_alice;
DROP ROLE IF EXISTS tok_bob;
CREATE ROLE tok_alice;
CREATE ROLE tok_bob;
GRANT USAGE ON SCHEMA client_tokens_roles TO tok_alice, tok_bob;
SELECT singletable.create_table('client_tokens_roles.ct', partition_key => 'pk', sort_key => NULL) IS NOT NULL AS created;
GRANT SELECT, INSERT, UPDATE, DELETE ON ct TO tok_alice, tok_bob;

SET ROLE tok_alice;
SELECT singletable.execute('TransactWriteItems', '{"ClientRequestToken": "shared", "TransactItems": [
  {"Put": {"TableName": "client_tokens_roles.ct", "Item": {"pk": {"S": "alice"}}}}]}', raise_errors => false);
SELECT owner, token FROM singletable.client_request_tokens;
RESET ROLE;

-- bob's same token with another request runs: it is bob's own token
SET ROLE tok_bob;
SELECT singletable.execute('TransactWriteItems', '{"ClientRequestToken": "shared", "TransactItems": [
  {"Put": {"TableName": "client_tokens_roles.ct", "Item": {"pk": {"S": "bob"}}}}]}', raise_errors => false);
-- bob sees only his row, cannot change alice's, and cannot plant one for her
SELECT owner, token FROM singletable.client_request_tokens;
UPDATE singletable.client_request_tokens SET response = '{"forged": true}' WHERE owner = 'tok_alice';
INSERT INTO singletable.client_request_tokens (owner, token, request_hash, response)
  VALUES ('tok_alice', 'planted', '\x00', '{"forged": true}');
RESET ROLE;

SELECT pk FROM ct ORDER BY pk;
SELECT owner, token, response FROM singletable.client_request_tokens
 WHERE owner IN ('tok_alice', 'tok_bob') ORDER BY owner;

DELETE FROM singletable.client_request_tokens WHERE owner IN ('tok_alice', 'tok_bob');
SELECT singletable.drop_table('ct');
DROP SCHEMA client_tokens_roles CASCADE;
DROP ROLE tok_alice;
DROP ROLE tok_bob;
