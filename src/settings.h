/*
 * settings.h
 *	  The extension's settings (singletable.*), defined in settings.c.
 */
#ifndef SINGLETABLE_SETTINGS_H
#define SINGLETABLE_SETTINGS_H

extern int	st_max_item_size;	/* singletable.max_item_size, bytes */
extern int	st_max_events_per_append;	/* singletable.max_events_per_append */
extern int	st_batch_get_max_keys;	/* singletable.batch_get_max_keys */
extern int	st_batch_write_max_items;	/* singletable.batch_write_max_items */
extern int	st_transact_max_items;	/* singletable.transact_max_items */
extern int	st_batch_get_max_size;	/* singletable.batch_get_max_size, bytes */
extern int	st_transact_get_max_size;	/* singletable.transact_get_max_size, bytes */
extern int	st_ttl_interval;	/* singletable.ttl_interval, seconds */
extern int	st_ttl_batch_size;	/* singletable.ttl_batch_size */
extern int	st_ttl_busy_percent;	/* singletable.ttl_busy_percent */
extern int	st_index_build_batch_size;	/* singletable.index_build_batch_size */
extern bool st_create_distributed;	/* singletable.create_distributed */
extern int	st_citus_put_autocommit;	/* singletable.citus_put_autocommit */

/* the values of singletable.citus_put_autocommit */
typedef enum StCitusPutAutocommit
{
	ST_CITUS_PUT_AUTOCOMMIT_OFF,	/* always Citus' transaction block */
	ST_CITUS_PUT_AUTOCOMMIT_AUTO,	/* alone only when nothing can follow */
	ST_CITUS_PUT_AUTOCOMMIT_ON	/* alone in its statement, pipelines too */
} StCitusPutAutocommit;

extern void st_define_settings(void);

#endif							/* SINGLETABLE_SETTINGS_H */
