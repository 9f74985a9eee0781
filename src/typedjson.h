/*
 * typedjson.h
 *	  DynamoDB typed JSON ({"S":..}, {"N":..}, {"M":..} ...) to and from
 *	  plain JSON items and values (typedjson.c).
 */
#ifndef SINGLETABLE_TYPEDJSON_H
#define SINGLETABLE_TYPEDJSON_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

extern Jsonb *st_to_typed_item(Jsonb *item);
extern Jsonb *st_from_typed_item(Jsonb *typed);
extern Jsonb *st_from_typed_start_key(Jsonb *typed);
extern void st_append_typed_item_text(StringInfo out, Jsonb *item);
extern void st_append_json_string(StringInfo out, const char *s, int len);
/* small builders: a C string as a key, or as a value or element */
extern void st_push_key(JsonbParseState **state, const char *key);
extern void st_push_string(JsonbParseState **state, JsonbIteratorToken tok, const char *s);
/* an object of a few pairs, without a parse state */
extern Jsonb *st_object_from_pairs(JsonbPair *pairs, int n);
/* whole items into a JsonbParseState (next value, or the root: returned) */
extern JsonbValue *st_push_typed_item(JsonbParseState **state, Jsonb *item);
extern JsonbValue *st_typed_item_value(Jsonb *item);
extern JsonbValue *st_push_plain_item(JsonbParseState **state, Jsonb *typed);
/*
 * Single attribute values.  Containers may be jbvBinary or built in memory;
 * results are scalars or jbvBinary.  path names the value in errors (":v",
 * "a.b[2]"; NULL for none).
 */
extern JsonbValue *st_plain_value_to_typed(JsonbValue *plain);
extern JsonbValue *st_typed_value_to_plain(JsonbValue *typed, const char *path);
extern void st_push_typed_value(JsonbParseState **state, JsonbValue *plain);
extern void st_push_plain_value(JsonbParseState **state, JsonbIteratorToken seq,
								JsonbValue *typed, const char *path);

#endif							/* SINGLETABLE_TYPEDJSON_H */
