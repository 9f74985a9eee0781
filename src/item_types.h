/*
 * item_types.h
 *	  Binary, sets and the map escape as one-key tag objects in plain items
 *	  ({"$B": b64}, {"$SS": [..]}, {"$NS": [..]}, {"$BS": [..]},
 *	  {"$M": {..}}): recognising, validating and comparing them
 *	  (item_types.c).
 */
#ifndef SINGLETABLE_ITEM_TYPES_H
#define SINGLETABLE_ITEM_TYPES_H

#include "utils/jsonb.h"
#include "utils/numeric.h"

typedef enum StTag
{
	ST_TAG_NONE = 0,			/* not a tag: scalar, list or ordinary map */
	ST_TAG_B,
	ST_TAG_M,
	ST_TAG_SS,
	ST_TAG_NS,
	ST_TAG_BS
} StTag;

extern StTag st_tag_of(const JsonbValue *v, JsonbValue *payload);
extern StTag st_tag_by_name(const char *key, int len);
extern const char *st_tag_name(StTag tag);
extern const char *st_tag_type_code(StTag tag);
extern bool st_key_needs_escape(const char *key, int len);
extern int	st_compare_bytes(const char *a, int alen, const char *b, int blen);
extern char *st_binary_bytes(const JsonbValue *text, int *len);
extern JsonbValue *st_make_binary_value(const char *bytes, int len, JsonbValue *out);
extern JsonbValue *st_set_members_sorted(const JsonbValue *payload, int *n);
extern bool st_set_member_equal(const JsonbValue *m, const JsonbValue *v);
extern bool st_sets_equal(const JsonbValue *a, const JsonbValue *b);
extern void st_validate_tags(Jsonb *item);
extern void st_validate_value_tags(const JsonbValue *v, const char *name);
/* DynamoDB's wording for an empty set and a set with duplicates */
extern const char *st_set_empty_message(StTag tag);
extern char *st_set_duplicates_message(StTag tag, JsonbContainer *members);

/* value checks and names shared by keys.c and typedjson.c */
extern bool st_number_shape(Numeric num, int *significant, int *exponent);
extern void st_validate_number(Numeric num, const char *attr);
/* canonical base64 only; dst holds pg_b64_dec_len(len); -1 when not canonical */
extern int	st_b64_decode(const char *src, int len, char *dst);
extern const char *st_plain_type_name(const JsonbValue *v);

#endif							/* SINGLETABLE_ITEM_TYPES_H */
