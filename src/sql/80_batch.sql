-- Part 80: many-item operations in DynamoDB's request shape (batch.c,
-- transact.c) and execute(), DynamoDB's wire request/response (execute.c).
-- Table names inside requests resolve through search_path (see README).
CREATE FUNCTION singletable.batch_get(requests jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_batch_get'
	LANGUAGE C STABLE;

CREATE FUNCTION singletable.batch_write(requests jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_batch_write'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.transact_write(items jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_transact_write'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.transact_get(items jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_transact_get'
	LANGUAGE C STABLE;

-- TransactWriteItems' ClientRequestToken (transact.c): each token a role
-- used in the last 10 minutes, with a hash of its TransactItems and the
-- answer given; expired rows are deleted by the role's next request with a
-- token.  Tokens are per role, as DynamoDB's are per caller: row-level
-- security lets a role see and write only its own rows, so no role can
-- read another's answers or plant an answer for another's token.
CREATE TABLE singletable.client_request_tokens (
	owner name NOT NULL DEFAULT current_user,
	token text NOT NULL,
	request_hash bytea NOT NULL,
	response jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (owner, token));
CREATE INDEX client_request_tokens_created_at ON singletable.client_request_tokens (owner, created_at);
ALTER TABLE singletable.client_request_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_tokens ON singletable.client_request_tokens
	USING (owner OPERATOR(pg_catalog.=) current_user)
	WITH CHECK (owner OPERATOR(pg_catalog.=) current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON singletable.client_request_tokens TO PUBLIC;

-- The names of the singletable tables the caller can see, as execute()'s
-- ListTables reports them: the DynamoDB name when visible through
-- search_path, schema.relation as SQL writes it otherwise (either form
-- resolves in a request's TableName).
-- Visibility depends on the caller's search_path, so it is not pinned here;
-- every name is schema-qualified instead.
CREATE FUNCTION singletable.list_tables() RETURNS SETOF text
	LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN pg_catalog.pg_table_is_visible(c.oid) THEN COALESCE(t.name, c.relname::pg_catalog.text)
	            ELSE pg_catalog.concat(pg_catalog.quote_ident(n.nspname), '.', pg_catalog.quote_ident(c.relname)) END
	  FROM singletable.tables t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE')
$$;

-- raise_errors => false returns DynamoDB's error body for DynamoDB-level
-- errors, the request's effects rolled back (README: execute).
CREATE FUNCTION singletable.execute(operation text, request jsonb,
                                    raise_errors boolean DEFAULT true) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_execute'
	LANGUAGE C VOLATILE;
