/*
 * singletable.h
 *	  What every PostgreSQL major version needs the same way: compatibility
 *	  macros only.  Each component declares itself in its own header
 *	  (catalog.h, keys.h, plans.h, query.h, typedjson.h, items.h, ...).
 */
#ifndef SINGLETABLE_H
#define SINGLETABLE_H

/*
 * A function that does not return: PostgreSQL 18 marks it with the prefix
 * pg_noreturn, earlier versions with the suffix pg_attribute_noreturn(),
 * which 18 removed.  The prefix works on every version with this.
 */
#ifndef pg_noreturn
#define pg_noreturn __attribute__((noreturn))
#endif

/*
 * index_beginscan(): PostgreSQL 18 added an argument before the key counts,
 * the scan's instrumentation (NULL: none, as for every scan here).
 */
#if PG_VERSION_NUM >= 180000
#define st_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys)
#else
#define st_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan(heap, index, snapshot, nkeys, norderbys)
#endif

#endif							/* SINGLETABLE_H */
