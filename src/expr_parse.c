/*
 * expr_parse.c
 *	  The parser core of DynamoDB's expression language: text -> StxNode
 *	  tree (expr_int.h) for condition/filter/key-condition, update and
 *	  projection expressions.
 *
 *	  Plain C with no server calls: memory comes from the caller's
 *	  allocation hook and errors come back in an StxError, so this file links
 *	  on its own into the libFuzzer target (test/fuzz/expr_fuzz.c).
 *	  Placeholders (#name, :value) are recorded, not resolved: that is
 *	  expr_prepare.c's job; everything that needs the item or the values is
 *	  left to the other expr_*.c files (see expr.h).
 *
 *	  Grammar (keywords are case-insensitive, function names are not, as in
 *	  DynamoDB):
 *
 *	    condition  := or
 *	    or         := and { OR and }
 *	    and        := not { AND not }
 *	    not        := NOT not | predicate
 *	    predicate  := '(' condition ')'
 *	                | call
 *	                | operand comparator operand
 *	                | operand BETWEEN operand AND operand
 *	                | operand IN '(' operand { ',' operand } ')'
 *	    operand    := path | :value | call | '(' operand ')'
 *	    call       := name '(' operand { ',' operand } ')'
 *	    path       := name { '.' name | '[' digits ']' }
 *	    name       := identifier | #placeholder
 *	    identifier := letter { letter | digit | '_' }
 *
 *	    update     := clause { clause }     each of SET REMOVE ADD DELETE once
 *	    clause     := SET path '=' setvalue { ',' path '=' setvalue }
 *	                | REMOVE path { ',' path }
 *	                | ADD path :value { ',' path :value }
 *	                | DELETE path :value { ',' path :value }
 *	    setvalue   := setoperand [ ('+' | '-') setoperand ]
 *	                | '(' setvalue ')' [ ('+' | '-') setoperand ]
 *	    setoperand := path | :value | '(' setoperand ')'
 *	                | function '(' setoperand { ',' setoperand } ')'
 *	                  (if_not_exists(path, setoperand) and
 *	                  list_append(setoperand, setoperand) once checked)
 *
 *	    projection := path { ',' path }
 *
 *	  A condition's calls parse whatever their name and operands, as in
 *	  DynamoDB, which then reports, in this order: "((x))" (redundant
 *	  parentheses, as soon as they close), an unknown function, a function
 *	  where it cannot be (a boolean function as an operand, size() as a
 *	  condition), a reserved word; then per condition (expr_prepare.c) the
 *	  placeholders, the number and the kinds of operands.
 *
 *	  The words AND OR NOT BETWEEN IN SET REMOVE ADD DELETE cannot be used as
 *	  bare attribute names (a syntax error); the rest of DynamoDB's reserved
 *	  words (reserved_words below) are an error of their own once the whole
 *	  expression has parsed, as in DynamoDB.  Either needs a #placeholder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"

typedef enum TokType
{
	T_END,
	T_IDENT,
	T_NAMEPH,					/* #name */
	T_VALUEPH,					/* :value */
	T_INT,
	T_DOT,
	T_COMMA,
	T_LPAREN,
	T_RPAREN,
	T_LBRACKET,
	T_RBRACKET,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_PLUS,
	T_MINUS
} TokType;

typedef struct Tok
{
	TokType		type;
	size_t		start;			/* byte offset */
	size_t		len;
} Tok;

typedef struct Parser
{
	const char *s;
	size_t		len;
	Tok			tok;			/* current token */
	size_t		prev_start;		/* start of the token before it */
	bool		have_prev;
	bool		syntax;			/* the error being raised is a syntax error */
	Tok			reserved;		/* the first reserved word used as a name */
	bool		have_reserved;
	Tok			bad_function;	/* the first call of no update function */
	bool		have_bad_function;
	Tok			twice;			/* the first update section given twice */
	int			twice_section;
	bool		have_twice;
	Tok			unknown_fn;		/* conditions: the first unknown function */
	bool		have_unknown_fn;
	Tok			misused_fn;		/* conditions: the first function misused */
	bool		have_misused_fn;
	bool		misused_as_condition;	/* it is size() used as a condition */
	size_t		last_close;		/* the ')' of the last group closed */
	size_t		last_close_open;	/* and its '(' */
	bool		have_close;
	StxMode		mode;
	int			depth;
	int		   *charpos;		/* charpos[off]: char_position(off), or NULL */
	StxAllocFn	alloc;
	void	   *alloc_arg;
	StxError   *err;
	jmp_buf		fail;
} Parser;

static const char *const cmp_names[] = {"=", "<>", "<", "<=", ">", ">="};
static const char *const func_names[] = {
	"attribute_exists", "attribute_not_exists", "attribute_type",
	"begins_with", "contains"
};

const char *
stx_cmp_name(int op)
{
	return (op >= 0 && op <= STX_GE) ? cmp_names[op] : "?";
}

const char *
stx_func_name(int fn)
{
	return (fn >= 0 && fn <= STX_FN_CONTAINS) ? func_names[fn] : "?";
}

static bool
is_utf8_continuation(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/*
 * 1-based character (not byte) position of byte offset off.  Every node
 * records one, so they come from a table made once per parse (counting from
 * the start each time would be quadratic in the expression's length).
 */
static int
char_position(Parser *p, size_t off)
{
	int			n = 1;

	if (off > p->len)
		off = p->len;
	if (p->charpos != NULL)
		return p->charpos[off];
	for (size_t i = 0; i < off; i++)
		if (!is_utf8_continuation((unsigned char) p->s[i]))
			n++;
	return n;
}

#if defined(__GNUC__) || defined(__clang__)
#define STX_NORETURN __attribute__((noreturn))
#define STX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define STX_NORETURN
#define STX_PRINTF(f, a)
#endif

static void fail_at(Parser *p, const Tok *tok, const char *fmt,...) STX_NORETURN STX_PRINTF(3, 4);
static void syntax_error(Parser *p) STX_NORETURN;
static void set_dynamo(Parser *p, const char *fmt,...) STX_PRINTF(2, 3);

/* DynamoDB's wording of the error about to be raised (see StxError.dynamo). */
static void
set_dynamo(Parser *p, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(p->err->dynamo, sizeof(p->err->dynamo), fmt, ap);
	va_end(ap);
}

/* Copy len bytes of text at off into buf (size bytes), cut at a character. */
static void
copy_cut(Parser *p, size_t off, size_t len, char *buf, size_t size)
{
	if (len > size - 1)
	{
		len = size - 1;
		while (len > 0 && is_utf8_continuation((unsigned char) p->s[off + len]))
			len--;
	}
	memcpy(buf, p->s + off, len);
	buf[len] = '\0';
}

static bool is_ident_char(unsigned char c);

/*
 * End of the token starting at or after off, for messages only: it never
 * fails, whatever the bytes (a character the lexer refuses is a token of
 * its own).
 */
static size_t
token_end(Parser *p, size_t off)
{
	const char *s = p->s;

	while (off < p->len && (s[off] == ' ' || s[off] == '\t' || s[off] == '\n' ||
							s[off] == '\r' || s[off] == '\f' || s[off] == '\v'))
		off++;
	if (off >= p->len)
		return off;
	if (is_ident_char((unsigned char) s[off]) ||
		((s[off] == '#' || s[off] == ':') && off + 1 < p->len &&
		 is_ident_char((unsigned char) s[off + 1])))
	{
		off++;
		while (off < p->len && is_ident_char((unsigned char) s[off]))
			off++;
		return off;
	}
	if (off + 1 < p->len && (s[off] == '<' || s[off] == '>') &&
		(s[off + 1] == '=' || (s[off] == '<' && s[off + 1] == '>')))
		return off + 2;
	off++;
	while (off < p->len && is_utf8_continuation((unsigned char) s[off]))
		off++;
	return off;
}

/* Report an error about the token at tok and leave the parse. */
static void
fail_at(Parser *p, const Tok *tok, const char *fmt,...)
{
	StxError   *err = p->err;
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->at_end = (tok->type == T_END);
	err->position = char_position(p, tok->start);
	err->near[0] = '\0';
	/* a NUL byte would truncate the texts; show the rest as nothing */
	if (!err->at_end)
		copy_cut(p, tok->start, tok->len, err->near, sizeof(err->near));

	/*
	 * DynamoDB's "near": the token before the offending one, that token and
	 * the one after it, as written.
	 */
	{
		size_t		from = p->have_prev && p->prev_start < tok->start ? p->prev_start : tok->start;
		size_t		to = err->at_end ? p->len : token_end(p, tok->start + tok->len);

		while (to > from && (p->s[to - 1] == ' ' || p->s[to - 1] == '\t' ||
							 p->s[to - 1] == '\n' || p->s[to - 1] == '\r'))
			to--;
		copy_cut(p, from, to - from, err->context, sizeof(err->context));
	}
	if (p->syntax)
		set_dynamo(p, "Syntax error; token: \"%s\", near: \"%s\"",
				   err->at_end ? "<EOF>" : err->near, err->context);
	longjmp(p->fail, 1);
}

static void *
palloc_p(Parser *p, size_t size)
{
	void	   *m = p->alloc(p->alloc_arg, size);

	if (m == NULL)
	{
		Tok			t = {T_END, 0, 0};

		fail_at(p, &t, "out of memory");
	}
	memset(m, 0, size);
	return m;
}

static char *
copy_text(Parser *p, size_t start, size_t len)
{
	char	   *c = palloc_p(p, len + 1);

	memcpy(c, p->s + start, len);
	c[len] = '\0';
	return c;
}

/* A name written without a placeholder starts with a letter, as in DynamoDB. */
static bool
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '_';
}

/* Lex the token starting at or after byte offset off into *t. */
static void
lex_at(Parser *p, size_t off, Tok *t)
{
	const char *s = p->s;
	size_t		len = p->len;
	unsigned char c;

	while (off < len && (s[off] == ' ' || s[off] == '\t' || s[off] == '\n' ||
						 s[off] == '\r' || s[off] == '\f' || s[off] == '\v'))
		off++;
	t->start = off;
	t->len = 1;
	if (off >= len)
	{
		t->type = T_END;
		t->len = 0;
		return;
	}
	c = (unsigned char) s[off];
	if (is_ident_start(c) || ((c == '#' || c == ':') && off + 1 < len &&
							  is_ident_char((unsigned char) s[off + 1])))
	{
		size_t		e = off + 1;

		while (e < len && is_ident_char((unsigned char) s[e]))
			e++;
		t->type = c == '#' ? T_NAMEPH : c == ':' ? T_VALUEPH : T_IDENT;
		t->len = e - off;
		return;
	}
	if (c >= '0' && c <= '9')
	{
		size_t		e = off;

		while (e < len && s[e] >= '0' && s[e] <= '9')
			e++;
		t->type = T_INT;
		t->len = e - off;
		return;
	}
	switch (c)
	{
		case '.':
			t->type = T_DOT;
			return;
		case ',':
			t->type = T_COMMA;
			return;
		case '(':
			t->type = T_LPAREN;
			return;
		case ')':
			t->type = T_RPAREN;
			return;
		case '[':
			t->type = T_LBRACKET;
			return;
		case ']':
			t->type = T_RBRACKET;
			return;
		case '=':
			t->type = T_EQ;
			return;
		case '+':
			t->type = T_PLUS;
			return;
		case '-':
			t->type = T_MINUS;
			return;
		case '<':
			if (off + 1 < len && s[off + 1] == '>')
			{
				t->type = T_NE;
				t->len = 2;
			}
			else if (off + 1 < len && s[off + 1] == '=')
			{
				t->type = T_LE;
				t->len = 2;
			}
			else
				t->type = T_LT;
			return;
		case '>':
			if (off + 1 < len && s[off + 1] == '=')
			{
				t->type = T_GE;
				t->len = 2;
			}
			else
				t->type = T_GT;
			return;
		default:
			break;
	}
	/* an unexpected character: report the whole UTF-8 sequence */
	t->type = T_END;			/* not used: we fail right away */
	{
		size_t		e = off + 1;

		while (e < len && e - off < 4 && is_utf8_continuation((unsigned char) s[e]))
			e++;
		t->len = e - off;
		t->type = T_IDENT;		/* so that fail_at shows the text */
		p->syntax = true;
		fail_at(p, t, (c == '#' || c == ':') ? "incomplete placeholder" : "unexpected character");
	}
}

static void
advance(Parser *p)
{
	p->prev_start = p->tok.start;
	p->have_prev = true;
	lex_at(p, p->tok.start + p->tok.len, &p->tok);
}

static TokType
peek_type(Parser *p)
{
	Tok			t;

	lex_at(p, p->tok.start + p->tok.len, &t);
	return t.type;
}

/* Is the current token the keyword kw (case-insensitive)? */
static bool
is_kw(Parser *p, const char *kw)
{
	size_t		n = strlen(kw);

	if (p->tok.type != T_IDENT || p->tok.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		char		c = p->s[p->tok.start + i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != kw[i])
			return false;
	}
	return true;
}

static bool
is_reserved(Parser *p)
{
	static const char *const kws[] = {
		"and", "or", "not", "between", "in", "set", "remove", "add", "delete"
	};

	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (is_kw(p, kws[i]))
			return true;
	return false;
}

/*
 * DynamoDB's reserved words (its developer guide, "Reserved words in
 * DynamoDB"), in upper case and strcmp order: written bare in an expression,
 * they are an error whatever their case.
 */
static const char *const reserved_words[] = {
	"ABORT", "ABSOLUTE", "ACTION", "ADD", "AFTER", "AGENT", "AGGREGATE",
	"ALL", "ALLOCATE", "ALTER", "ANALYZE", "AND", "ANY", "ARCHIVE", "ARE",
	"ARRAY", "AS", "ASC", "ASCII", "ASENSITIVE", "ASSERTION", "ASYMMETRIC",
	"AT", "ATOMIC", "ATTACH", "ATTRIBUTE", "AUTH", "AUTHORIZATION",
	"AUTHORIZE", "AUTO", "AVG", "BACK", "BACKUP", "BASE", "BATCH", "BEFORE",
	"BEGIN", "BETWEEN", "BIGINT", "BINARY", "BIT", "BLOB", "BLOCK",
	"BOOLEAN", "BOTH", "BREADTH", "BUCKET", "BULK", "BY", "BYTE", "CALL",
	"CALLED", "CALLING", "CAPACITY", "CASCADE", "CASCADED", "CASE", "CAST",
	"CATALOG", "CHAR", "CHARACTER", "CHECK", "CLASS", "CLOB", "CLOSE",
	"CLUSTER", "CLUSTERED", "CLUSTERING", "CLUSTERS", "COALESCE", "COLLATE",
	"COLLATION", "COLLECTION", "COLUMN", "COLUMNS", "COMBINE", "COMMENT",
	"COMMIT", "COMPACT", "COMPILE", "COMPRESS", "CONDITION", "CONFLICT",
	"CONNECT", "CONNECTION", "CONSISTENCY", "CONSISTENT", "CONSTRAINT",
	"CONSTRAINTS", "CONSTRUCTOR", "CONSUMED", "CONTINUE", "CONVERT", "COPY",
	"CORRESPONDING", "COUNT", "COUNTER", "CREATE", "CROSS", "CUBE",
	"CURRENT", "CURSOR", "CYCLE", "DATA", "DATABASE", "DATE", "DATETIME",
	"DAY", "DEALLOCATE", "DEC", "DECIMAL", "DECLARE", "DEFAULT",
	"DEFERRABLE", "DEFERRED", "DEFINE", "DEFINED", "DEFINITION", "DELETE",
	"DELIMITED", "DEPTH", "DEREF", "DESC", "DESCRIBE", "DESCRIPTOR",
	"DETACH", "DETERMINISTIC", "DIAGNOSTICS", "DIRECTORIES", "DISABLE",
	"DISCONNECT", "DISTINCT", "DISTRIBUTE", "DO", "DOMAIN", "DOUBLE", "DROP",
	"DUMP", "DURATION", "DYNAMIC", "EACH", "ELEMENT", "ELSE", "ELSEIF",
	"EMPTY", "ENABLE", "END", "EQUAL", "EQUALS", "ERROR", "ESCAPE",
	"ESCAPED", "EVAL", "EVALUATE", "EXCEEDED", "EXCEPT", "EXCEPTION",
	"EXCEPTIONS", "EXCLUSIVE", "EXEC", "EXECUTE", "EXISTS", "EXIT",
	"EXPLAIN", "EXPLODE", "EXPORT", "EXPRESSION", "EXTENDED", "EXTERNAL",
	"EXTRACT", "FAIL", "FALSE", "FAMILY", "FETCH", "FIELDS", "FILE",
	"FILTER", "FILTERING", "FINAL", "FINISH", "FIRST", "FIXED", "FLATTERN",
	"FLOAT", "FOR", "FORCE", "FOREIGN", "FORMAT", "FORWARD", "FOUND", "FREE",
	"FROM", "FULL", "FUNCTION", "FUNCTIONS", "GENERAL", "GENERATE", "GET",
	"GLOB", "GLOBAL", "GO", "GOTO", "GRANT", "GREATER", "GROUP", "GROUPING",
	"HANDLER", "HASH", "HAVE", "HAVING", "HEAP", "HIDDEN", "HOLD", "HOUR",
	"IDENTIFIED", "IDENTITY", "IF", "IGNORE", "IMMEDIATE", "IMPORT", "IN",
	"INCLUDING", "INCLUSIVE", "INCREMENT", "INCREMENTAL", "INDEX", "INDEXED",
	"INDEXES", "INDICATOR", "INFINITE", "INITIALLY", "INLINE", "INNER",
	"INNTER", "INOUT", "INPUT", "INSENSITIVE", "INSERT", "INSTEAD", "INT",
	"INTEGER", "INTERSECT", "INTERVAL", "INTO", "INVALIDATE", "IS",
	"ISOLATION", "ITEM", "ITEMS", "ITERATE", "JOIN", "KEY", "KEYS", "LAG",
	"LANGUAGE", "LARGE", "LAST", "LATERAL", "LEAD", "LEADING", "LEAVE",
	"LEFT", "LENGTH", "LESS", "LEVEL", "LIKE", "LIMIT", "LIMITED", "LINES",
	"LIST", "LOAD", "LOCAL", "LOCALTIME", "LOCALTIMESTAMP", "LOCATION",
	"LOCATOR", "LOCK", "LOCKS", "LOG", "LOGED", "LONG", "LOOP", "LOWER",
	"MAP", "MATCH", "MATERIALIZED", "MAX", "MAXLEN", "MEMBER", "MERGE",
	"METHOD", "METRICS", "MIN", "MINUS", "MINUTE", "MISSING", "MOD", "MODE",
	"MODIFIES", "MODIFY", "MODULE", "MONTH", "MULTI", "MULTISET", "NAME",
	"NAMES", "NATIONAL", "NATURAL", "NCHAR", "NCLOB", "NEW", "NEXT", "NO",
	"NONE", "NOT", "NULL", "NULLIF", "NUMBER", "NUMERIC", "OBJECT", "OF",
	"OFFLINE", "OFFSET", "OLD", "ON", "ONLINE", "ONLY", "OPAQUE", "OPEN",
	"OPERATOR", "OPTION", "OR", "ORDER", "ORDINALITY", "OTHER", "OTHERS",
	"OUT", "OUTER", "OUTPUT", "OVER", "OVERLAPS", "OVERRIDE", "OWNER", "PAD",
	"PARALLEL", "PARAMETER", "PARAMETERS", "PARTIAL", "PARTITION",
	"PARTITIONED", "PARTITIONS", "PATH", "PERCENT", "PERCENTILE",
	"PERMISSION", "PERMISSIONS", "PIPE", "PIPELINED", "PLAN", "POOL",
	"POSITION", "PRECISION", "PREPARE", "PRESERVE", "PRIMARY", "PRIOR",
	"PRIVATE", "PRIVILEGES", "PROCEDURE", "PROCESSED", "PROJECT",
	"PROJECTION", "PROPERTY", "PROVISIONING", "PUBLIC", "PUT", "QUERY",
	"QUIT", "QUORUM", "RAISE", "RANDOM", "RANGE", "RANK", "RAW", "READ",
	"READS", "REAL", "REBUILD", "RECORD", "RECURSIVE", "REDUCE", "REF",
	"REFERENCE", "REFERENCES", "REFERENCING", "REGEXP", "REGION", "REINDEX",
	"RELATIVE", "RELEASE", "REMAINDER", "RENAME", "REPEAT", "REPLACE",
	"REQUEST", "RESET", "RESIGNAL", "RESOURCE", "RESPONSE", "RESTORE",
	"RESTRICT", "RESULT", "RETURN", "RETURNING", "RETURNS", "REVERSE",
	"REVOKE", "RIGHT", "ROLE", "ROLES", "ROLLBACK", "ROLLUP", "ROUTINE",
	"ROW", "ROWS", "RULE", "RULES", "SAMPLE", "SATISFIES", "SAVE",
	"SAVEPOINT", "SCAN", "SCHEMA", "SCOPE", "SCROLL", "SEARCH", "SECOND",
	"SECTION", "SEGMENT", "SEGMENTS", "SELECT", "SELF", "SEMI", "SENSITIVE",
	"SEPARATE", "SEQUENCE", "SERIALIZABLE", "SESSION", "SET", "SETS",
	"SHARD", "SHARE", "SHARED", "SHORT", "SHOW", "SIGNAL", "SIMILAR", "SIZE",
	"SKEWED", "SMALLINT", "SNAPSHOT", "SOME", "SOURCE", "SPACE", "SPACES",
	"SPARSE", "SPECIFIC", "SPECIFICTYPE", "SPLIT", "SQL", "SQLCODE",
	"SQLERROR", "SQLEXCEPTION", "SQLSTATE", "SQLWARNING", "START", "STATE",
	"STATIC", "STATUS", "STORAGE", "STORE", "STORED", "STREAM", "STRING",
	"STRUCT", "STYLE", "SUB", "SUBMULTISET", "SUBPARTITION", "SUBSTRING",
	"SUBTYPE", "SUM", "SUPER", "SYMMETRIC", "SYNONYM", "SYSTEM", "TABLE",
	"TABLESAMPLE", "TEMP", "TEMPORARY", "TERMINATED", "TEXT", "THAN", "THEN",
	"THROUGHPUT", "TIME", "TIMESTAMP", "TIMEZONE", "TINYINT", "TO", "TOKEN",
	"TOTAL", "TOUCH", "TRAILING", "TRANSACTION", "TRANSFORM", "TRANSLATE",
	"TRANSLATION", "TREAT", "TRIGGER", "TRIM", "TRUE", "TRUNCATE", "TTL",
	"TUPLE", "TYPE", "UNDER", "UNDO", "UNION", "UNIQUE", "UNIT", "UNKNOWN",
	"UNLOGGED", "UNNEST", "UNPROCESSED", "UNSIGNED", "UNTIL", "UPDATE",
	"UPPER", "URL", "USAGE", "USE", "USER", "USERS", "USING", "UUID",
	"VACUUM", "VALUE", "VALUED", "VALUES", "VARCHAR", "VARIABLE", "VARIANCE",
	"VARINT", "VARYING", "VIEW", "VIEWS", "VIRTUAL", "VOID", "WAIT", "WHEN",
	"WHENEVER", "WHERE", "WHILE", "WINDOW", "WITH", "WITHIN", "WITHOUT",
	"WORK", "WRAPPED", "WRITE", "YEAR", "ZONE"
};

static int
cmp_reserved(const void *key, const void *elem)
{
	return strcmp((const char *) key, *(const char *const *) elem);
}

/* Is the current identifier one of DynamoDB's reserved words? */
static bool
is_reserved_word(Parser *p)
{
	char		upper[32];

	if (p->tok.type != T_IDENT || p->tok.len >= sizeof(upper))
		return false;
	for (size_t i = 0; i < p->tok.len; i++)
	{
		char		c = p->s[p->tok.start + i];

		upper[i] = (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
	}
	upper[p->tok.len] = '\0';
	return bsearch(upper, reserved_words, sizeof(reserved_words) / sizeof(reserved_words[0]),
				   sizeof(reserved_words[0]), cmp_reserved) != NULL;
}

static void
syntax_error(Parser *p)
{
	p->syntax = true;
	fail_at(p, &p->tok, "syntax error");
}

/*
 * Is the current token the function name fn?  Function names are
 * case-sensitive, as in DynamoDB: LIST_APPEND is no function.
 */
static bool
is_fn(Parser *p, const char *fn)
{
	size_t		n = strlen(fn);

	return p->tok.type == T_IDENT && p->tok.len == n &&
		memcmp(p->s + p->tok.start, fn, n) == 0;
}

static void unknown_function(Parser *p) STX_NORETURN;

static void
unknown_function(Parser *p)
{
	int			n = (int) (p->tok.len > 40 ? 40 : p->tok.len);

	set_dynamo(p, "Invalid function name; function: %.*s", n, p->s + p->tok.start);
	fail_at(p, &p->tok, "unrecognized function \"%.*s\"", n, p->s + p->tok.start);
}

static void
expect(Parser *p, TokType type)
{
	if (p->tok.type != type)
		syntax_error(p);
	advance(p);
}

static void
enter(Parser *p)
{
	if (++p->depth > STX_MAX_DEPTH)
	{
		p->err->kind = STX_ERR_LIMIT;
		fail_at(p, &p->tok, "expression is nested more than %d levels deep", STX_MAX_DEPTH);
	}
}

static StxNode *
make_node(Parser *p, StxKind kind, const Tok *at, int nargs)
{
	StxNode    *n = palloc_p(p, sizeof(StxNode));

	n->kind = kind;
	n->pos = char_position(p, at->start);
	n->off = at->start;
	n->nargs = nargs;
	if (nargs > 0)
		n->args = palloc_p(p, sizeof(StxNode *) * nargs);
	return n;
}

/* A growable array of node pointers, for AND/OR chains and action lists. */
typedef struct NodeVec
{
	StxNode   **items;
	int			n;
	int			cap;
} NodeVec;

static void
vec_push(Parser *p, NodeVec *v, StxNode *node)
{
	if (v->n == v->cap)
	{
		int			cap = v->cap ? v->cap * 2 : 8;
		StxNode   **items = palloc_p(p, sizeof(StxNode *) * cap);

		if (v->n > 0)
			memcpy(items, v->items, sizeof(StxNode *) * v->n);
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = node;
}

static StxNode *
vec_node(Parser *p, StxKind kind, const Tok *at, NodeVec *v)
{
	StxNode    *n = make_node(p, kind, at, 0);

	n->nargs = v->n;
	n->args = v->items;
	return n;
}

/* path := name { '.' name | '[' digits ']' } */
static StxNode *
parse_path(Parser *p)
{
	StxPathElem elems[STX_MAX_PATH_DEPTH + 1];
	int			n = 0;
	Tok			first = p->tok;
	StxNode    *node;

	for (;;)
	{
		StxPathElem *e;
		bool		dot = false;

		if (n > 0)
		{
			if (p->tok.type == T_DOT)
			{
				advance(p);
				dot = true;
			}
			else if (p->tok.type != T_LBRACKET)
				break;
		}
		if (n >= STX_MAX_PATH_DEPTH)
		{
			p->err->kind = STX_ERR_LIMIT;
			fail_at(p, &p->tok, "document path has more than %d levels", STX_MAX_PATH_DEPTH);
		}
		e = &elems[n++];
		memset(e, 0, sizeof(*e));
		e->pos = char_position(p, p->tok.start);
		if (n > 1 && !dot && p->tok.type == T_LBRACKET)
		{
			long		idx = 0;

			advance(p);
			if (p->tok.type != T_INT)
				syntax_error(p);
			for (size_t i = 0; i < p->tok.len; i++)
			{
				idx = idx * 10 + (p->s[p->tok.start + i] - '0');
				if (idx > STX_MAX_LIST_INDEX)
					fail_at(p, &p->tok, "list index is too large");
			}
			e->is_index = true;
			e->index = (int) idx;
			advance(p);
			expect(p, T_RBRACKET);
			continue;
		}
		if (p->tok.type == T_NAMEPH)
			e->is_placeholder = true;
		else if (p->tok.type != T_IDENT || is_reserved(p))
			syntax_error(p);
		else if (!p->have_reserved && is_reserved_word(p))
		{
			/* reported once the whole expression parses, as DynamoDB does */
			p->reserved = p->tok;
			p->have_reserved = true;
		}
		e->name = copy_text(p, p->tok.start, p->tok.len);
		advance(p);
	}
	node = make_node(p, STX_PATH, &first, 0);
	node->nelems = n;
	node->elems = palloc_p(p, sizeof(StxPathElem) * n);
	memcpy(node->elems, elems, sizeof(StxPathElem) * n);
	return node;
}

static StxNode *
parse_value(Parser *p)
{
	StxNode    *n;

	if (p->tok.type != T_VALUEPH)
		syntax_error(p);
	n = make_node(p, STX_VALUE, &p->tok, 0);
	n->name = copy_text(p, p->tok.start, p->tok.len);
	advance(p);
	return n;
}

/* Is the current token an identifier followed by '(' (a function call)? */
static bool
at_function(Parser *p)
{
	return p->tok.type == T_IDENT && peek_type(p) == T_LPAREN;
}

/* Is the current token one of the boolean functions of conditions? */
static int
condition_function(Parser *p)
{
	for (int fn = 0; fn <= STX_FN_CONTAINS; fn++)
		if (is_fn(p, func_names[fn]))
			return fn;
	return -1;
}

/*
 * '(' inner ')'.  In a condition, parentheses right around parentheses,
 * "((x))", are DynamoDB's "redundant parentheses", an error as soon as
 * they close; one pair around an operand, a function call or a condition
 * is fine.
 */
static StxNode *
parse_parenthesized(Parser *p, StxNode *(*inner) (Parser *p))
{
	Tok			open = p->tok;
	size_t		first;
	StxNode    *n;

	enter(p);
	advance(p);
	first = p->tok.start;
	n = inner(p);
	if (p->tok.type != T_RPAREN)
		syntax_error(p);
	if (p->mode == STX_MODE_CONDITION && p->have_close &&
		p->last_close == p->prev_start && p->last_close_open == first)
	{
		set_dynamo(p, "The expression has redundant parentheses;");
		fail_at(p, &open, "redundant parentheses");
	}
	p->last_close = p->tok.start;
	p->last_close_open = open.start;
	p->have_close = true;
	advance(p);
	p->depth--;
	return n;
}

/*
 * Conditions: the first function call used where it cannot be (fn) is
 * DynamoDB's "function not allowed to be used this way", reported once the
 * whole expression parses.
 */
static void
note_misused_call(Parser *p, StxNode *fn)
{
	if (p->have_misused_fn)
		return;
	p->misused_fn.type = T_IDENT;
	p->misused_fn.start = fn->off;
	p->misused_fn.len = strlen(fn->name);
	p->have_misused_fn = true;
}

/* An operand (args: the n operands just parsed) is no boolean function. */
static void
note_misused(Parser *p, StxNode **args, int n)
{
	for (int i = 0; i < n; i++)
		if (args[i]->kind == STX_FUNC)
			note_misused_call(p, args[i]);
}

/* operand := path | :value | function '(' operand { ',' operand } ')' | '(' operand ')' */
static StxNode *parse_call(Parser *p);

static StxNode *
parse_operand(Parser *p)
{
	if (p->tok.type == T_LPAREN)
		return parse_parenthesized(p, parse_operand);
	if (p->tok.type == T_VALUEPH)
		return parse_value(p);
	if (at_function(p))
		return parse_call(p);
	if (p->tok.type == T_IDENT || p->tok.type == T_NAMEPH)
		return parse_path(p);
	syntax_error(p);
	return NULL;				/* not reached */
}

static StxNode *parse_or(Parser *p);

/*
 * A function call in a condition, with any name and any number of
 * operands: DynamoDB parses the whole expression first, then reports an
 * unknown function (here, once the parse is done), a function misused
 * (note_misused), then per condition an undefined placeholder before a
 * wrong number of operands or an operand of the wrong kind (expr_prepare.c).
 */
static StxNode *
parse_call(Parser *p)
{
	Tok			at = p->tok;
	int			fn = condition_function(p);
	bool		size = is_fn(p, "size");
	NodeVec		v = {0};
	StxNode    *n;

	enter(p);
	advance(p);
	expect(p, T_LPAREN);
	for (;;)
	{
		vec_push(p, &v, parse_operand(p));
		if (p->tok.type != T_COMMA)
			break;
		advance(p);
	}
	expect(p, T_RPAREN);
	p->depth--;
	note_misused(p, v.items, v.n);
	if (fn < 0 && !size && !p->have_unknown_fn)
	{
		p->unknown_fn = at;
		p->have_unknown_fn = true;
	}
	n = vec_node(p, size ? STX_SIZE : STX_FUNC, &at, &v);
	n->op = size ? 0 : fn;
	n->name = copy_text(p, at.start, at.len);
	return n;
}

/*
 * Does the '(' at the current token open an operand rather than a
 * condition: is its matching ')' followed by a comparator, BETWEEN or IN?
 * DynamoDB accepts redundant parentheses around an operand, as in
 * "((size(a)) = :v)".  Looks at the characters only (no token of the
 * expression holds a parenthesis), so an error further on is still found
 * where the parser reaches it; the nesting depth bounds the rescanning.
 */
static bool
at_paren_operand(Parser *p)
{
	const char *s = p->s;
	size_t		len = p->len;
	size_t		off = p->tok.start;
	int			open = 0;

	for (; off < len; off++)
	{
		if (s[off] == '(')
			open++;
		else if (s[off] == ')' && --open == 0)
			break;
	}
	if (off >= len)
		return false;
	off++;
	while (off < len && (s[off] == ' ' || s[off] == '\t' || s[off] == '\n' ||
						 s[off] == '\r' || s[off] == '\f' || s[off] == '\v'))
		off++;
	if (off < len && (s[off] == '=' || s[off] == '<' || s[off] == '>'))
		return true;
	for (int k = 0; k < 2; k++)
	{
		const char *kw = k == 0 ? "between" : "in";
		size_t		n = strlen(kw);
		size_t		i;

		for (i = 0; i < n && off + i < len; i++)
			if ((s[off + i] | 0x20) != kw[i])
				break;
		if (i == n && (off + n >= len || !is_ident_char((unsigned char) s[off + n])))
			return true;
	}
	return false;
}

static StxNode *
parse_predicate(Parser *p)
{
	Tok			at = p->tok;
	StxNode    *lhs;
	StxNode    *n;

	if (p->tok.type == T_LPAREN && !at_paren_operand(p))
		return parse_parenthesized(p, parse_or);

	lhs = parse_operand(p);
	at = p->tok;
	switch (p->tok.type)
	{
		case T_EQ:
		case T_NE:
		case T_LT:
		case T_LE:
		case T_GT:
		case T_GE:
			n = make_node(p, STX_CMP, &at, 2);
			n->op = p->tok.type == T_EQ ? STX_EQ : p->tok.type == T_NE ? STX_NE :
				p->tok.type == T_LT ? STX_LT : p->tok.type == T_LE ? STX_LE :
				p->tok.type == T_GT ? STX_GT : STX_GE;
			advance(p);
			n->args[0] = lhs;
			n->args[1] = parse_operand(p);
			note_misused(p, n->args, 2);
			return n;
		default:
			break;
	}
	if (is_kw(p, "between"))
	{
		n = make_node(p, STX_BETWEEN, &at, 3);
		advance(p);
		n->args[0] = lhs;
		n->args[1] = parse_operand(p);
		if (!is_kw(p, "and"))
			syntax_error(p);
		advance(p);
		n->args[2] = parse_operand(p);
		note_misused(p, n->args, 3);
		return n;
	}
	if (is_kw(p, "in"))
	{
		NodeVec		v = {0};

		advance(p);
		expect(p, T_LPAREN);
		vec_push(p, &v, lhs);
		for (;;)
		{
			if (v.n > STX_MAX_IN_OPERANDS)
			{
				p->err->kind = STX_ERR_LIMIT;
				fail_at(p, &p->tok, "IN takes at most %d operands", STX_MAX_IN_OPERANDS);
			}
			vec_push(p, &v, parse_operand(p));
			if (p->tok.type != T_COMMA)
				break;
			advance(p);
		}
		expect(p, T_RPAREN);
		note_misused(p, v.items, v.n);
		return vec_node(p, STX_IN, &at, &v);
	}
	if (lhs->kind == STX_FUNC)
		return lhs;
	if (lhs->kind == STX_SIZE)
	{
		/* size() is a number, not a condition */
		if (!p->have_misused_fn)
			p->misused_as_condition = true;
		note_misused_call(p, lhs);
		return lhs;
	}
	syntax_error(p);
	return NULL;				/* not reached */
}

static StxNode *
parse_not(Parser *p)
{
	if (is_kw(p, "not"))
	{
		Tok			at = p->tok;
		StxNode    *n = make_node(p, STX_NOT, &at, 1);

		enter(p);
		advance(p);
		n->args[0] = parse_not(p);
		p->depth--;
		return n;
	}
	return parse_predicate(p);
}

static StxNode *
parse_and(Parser *p)
{
	Tok			at = p->tok;
	StxNode    *first = parse_not(p);
	NodeVec		v = {0};

	if (!is_kw(p, "and"))
		return first;
	vec_push(p, &v, first);
	while (is_kw(p, "and"))
	{
		advance(p);
		vec_push(p, &v, parse_not(p));
	}
	return vec_node(p, STX_AND, &at, &v);
}

static StxNode *
parse_or(Parser *p)
{
	Tok			at = p->tok;
	StxNode    *first = parse_and(p);
	NodeVec		v = {0};

	if (!is_kw(p, "or"))
		return first;
	vec_push(p, &v, first);
	while (is_kw(p, "or"))
	{
		advance(p);
		vec_push(p, &v, parse_and(p));
	}
	return vec_node(p, STX_OR, &at, &v);
}

/*
 * setoperand := path | :value | function '(' setoperand { ',' setoperand } ')'
 *
 * Any name followed by '(' is a call, whatever its name and operands, as
 * in DynamoDB: an unknown or misplaced function is reported once the whole
 * expression has parsed (a syntax error anywhere comes first), and the
 * operands of if_not_exists and list_append (their number, a path first
 * for if_not_exists, their types) once placeholders are resolved
 * (expr_prepare.c).
 */
static StxNode *
parse_set_operand(Parser *p)
{
	Tok			at = p->tok;

	if (p->tok.type == T_LPAREN)
		return parse_parenthesized(p, parse_set_operand);
	if (p->tok.type == T_VALUEPH)
		return parse_value(p);
	if (at_function(p))
	{
		bool		ine = is_fn(p, "if_not_exists");
		NodeVec		v = {0};

		if (!ine && !is_fn(p, "list_append") && !p->have_bad_function)
		{
			p->bad_function = p->tok;
			p->have_bad_function = true;
		}
		enter(p);
		advance(p);
		expect(p, T_LPAREN);
		for (;;)
		{
			vec_push(p, &v, parse_set_operand(p));
			if (p->tok.type != T_COMMA)
				break;
			advance(p);
		}
		expect(p, T_RPAREN);
		p->depth--;
		return vec_node(p, ine ? STX_IF_NOT_EXISTS : STX_LIST_APPEND, &at, &v);
	}
	if (p->tok.type == T_IDENT || p->tok.type == T_NAMEPH)
		return parse_path(p);
	syntax_error(p);
	return NULL;				/* not reached */
}

/*
 * setvalue, or '(' setvalue ')': the parentheses may hold an arithmetic
 * "(a + b)", which itself cannot be an operand of + or -.
 */
static StxNode *
parse_set_value(Parser *p)
{
	StxNode    *lhs;
	StxNode    *n;

	lhs = p->tok.type == T_LPAREN ? parse_parenthesized(p, parse_set_value) :
		parse_set_operand(p);
	if (p->tok.type != T_PLUS && p->tok.type != T_MINUS)
		return lhs;
	if (lhs->kind == STX_PLUS || lhs->kind == STX_MINUS)
		syntax_error(p);
	n = make_node(p, p->tok.type == T_PLUS ? STX_PLUS : STX_MINUS, &p->tok, 2);
	advance(p);
	n->args[0] = lhs;
	n->args[1] = parse_set_operand(p);
	return n;
}

static StxNode *
parse_update(Parser *p)
{
	static const char *const clauses[] = {"set", "remove", "add", "delete"};
	static const StxKind kinds[] = {STX_SET, STX_REMOVE, STX_ADD, STX_DELETE};
	bool		seen[4] = {false, false, false, false};
	NodeVec		v = {0};
	Tok			first = p->tok;

	while (p->tok.type != T_END)
	{
		int			c;

		for (c = 0; c < 4; c++)
			if (is_kw(p, clauses[c]))
				break;
		if (c == 4)
			syntax_error(p);
		/* reported once the whole expression parses, as DynamoDB does */
		if (seen[c] && !p->have_twice)
		{
			p->twice = p->tok;
			p->twice_section = c;
			p->have_twice = true;
		}
		seen[c] = true;
		advance(p);
		for (;;)
		{
			Tok			at = p->tok;
			StxNode    *a = make_node(p, kinds[c], &at, kinds[c] == STX_REMOVE ? 1 : 2);

			if (p->tok.type != T_IDENT && p->tok.type != T_NAMEPH)
				syntax_error(p);
			a->args[0] = parse_path(p);
			if (kinds[c] == STX_SET)
			{
				expect(p, T_EQ);
				a->args[1] = parse_set_value(p);
			}
			else if (kinds[c] != STX_REMOVE)
				a->args[1] = parse_value(p);
			vec_push(p, &v, a);
			if (p->tok.type != T_COMMA)
				break;
			advance(p);
		}
	}
	return vec_node(p, STX_UPDATE, &first, &v);
}

static StxNode *
parse_projection(Parser *p)
{
	NodeVec		v = {0};
	Tok			first = p->tok;

	for (;;)
	{
		if (p->tok.type != T_IDENT && p->tok.type != T_NAMEPH)
			syntax_error(p);
		vec_push(p, &v, parse_path(p));
		if (p->tok.type != T_COMMA)
			break;
		advance(p);
	}
	return vec_node(p, STX_PROJECTION, &first, &v);
}

StxNode *
stx_parse(const char *text, size_t len, StxMode mode,
		  StxAllocFn alloc, void *alloc_arg, StxError *err)
{
	Parser		p;
	StxNode    *root = NULL;

	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = len;
	p.mode = mode;
	p.alloc = alloc;
	p.alloc_arg = alloc_arg;
	p.err = err;

	if (setjmp(p.fail) != 0)
		return NULL;

	if (len > STX_MAX_EXPR_BYTES)
	{
		err->kind = STX_ERR_LIMIT;
		snprintf(err->message, sizeof(err->message),
				 "expression is longer than %d bytes", STX_MAX_EXPR_BYTES);
		return NULL;
	}

	p.charpos = palloc_p(&p, sizeof(int) * (len + 1));
	p.charpos[0] = 1;
	for (size_t i = 0; i < len; i++)
		p.charpos[i + 1] = p.charpos[i] + !is_utf8_continuation((unsigned char) text[i]);

	lex_at(&p, 0, &p.tok);
	if (p.tok.type == T_END)
	{
		err->kind = STX_ERR_EMPTY;
		fail_at(&p, &p.tok, "expression is empty");
	}

	switch (mode)
	{
		case STX_MODE_CONDITION:
			root = parse_or(&p);
			break;
		case STX_MODE_UPDATE:
			root = parse_update(&p);
			break;
		case STX_MODE_PROJECTION:
			root = parse_projection(&p);
			break;
	}
	if (p.tok.type != T_END)
		syntax_error(&p);
	/* DynamoDB's order: unknown function, function misused, reserved word */
	if (p.have_unknown_fn)
	{
		p.tok = p.unknown_fn;
		unknown_function(&p);
	}
	if (p.have_misused_fn)
	{
		set_dynamo(&p, "The function is not allowed to be used this way in an expression; function: %.*s",
				   (int) (p.misused_fn.len > 40 ? 40 : p.misused_fn.len), p.s + p.misused_fn.start);
		if (p.misused_as_condition)
			fail_at(&p, &p.misused_fn, "size() is a number, not a condition");
		fail_at(&p, &p.misused_fn, "function \"%.*s\" is not allowed as an operand here",
				(int) (p.misused_fn.len > 40 ? 40 : p.misused_fn.len), p.s + p.misused_fn.start);
	}
	if (p.have_reserved)
	{
		set_dynamo(&p, "Attribute name is a reserved keyword; reserved keyword: %.*s",
				   (int) p.reserved.len, p.s + p.reserved.start);
		fail_at(&p, &p.reserved, "attribute name \"%.*s\" is a reserved word",
				(int) p.reserved.len, p.s + p.reserved.start);
	}
	if (p.have_bad_function)
	{
		p.tok = p.bad_function;
		if (condition_function(&p) < 0 && !is_fn(&p, "size"))
			unknown_function(&p);
		fail_at(&p, &p.tok, "function \"%.*s\" is not allowed in an update expression",
				(int) (p.tok.len > 40 ? 40 : p.tok.len), p.s + p.tok.start);
	}
	if (p.have_twice)
	{
		static const char *const sections[] = {"SET", "REMOVE", "ADD", "DELETE"};

		set_dynamo(&p, "The \"%s\" section can only be used once in an update expression;",
				   sections[p.twice_section]);
		fail_at(&p, &p.twice, "the %.*s section appears twice",
				(int) p.twice.len, p.s + p.twice.start);
	}
	return root;
}
