/*
 * settings.c
 *	  The extension's settings (singletable.*): the variables the components
 *	  read and their definitions.  Depends on nothing else of the extension,
 *	  so any component may read a setting without a circle back to the
 *	  module's entry point (singletable.c), which calls st_define_settings().
 */
#include "postgres.h"

#include "utils/guc.h"

#include "settings.h"

/* singletable.max_item_size: DynamoDB's 400 KB item limit, in bytes */
int			st_max_item_size = 400 * 1024;
int			st_max_events_per_append = 1000;
int			st_batch_get_max_keys = 100;
int			st_batch_write_max_items = 25;
int			st_transact_max_items = 100;
int			st_batch_get_max_size = 16 * 1024 * 1024;
int			st_transact_get_max_size = 4 * 1024 * 1024;
int			st_ttl_interval = 10;
int			st_ttl_batch_size = 100;
int			st_ttl_busy_percent = 10;
int			st_index_build_batch_size = 1000;
bool		st_create_distributed = false;
int			st_citus_put_autocommit = ST_CITUS_PUT_AUTOCOMMIT_AUTO;

/* singletable.citus_put_autocommit: on and off take a boolean's spellings */
static const struct config_enum_entry citus_put_autocommit_options[] = {
	{"auto", ST_CITUS_PUT_AUTOCOMMIT_AUTO, false},
	{"on", ST_CITUS_PUT_AUTOCOMMIT_ON, false},
	{"off", ST_CITUS_PUT_AUTOCOMMIT_OFF, false},
	{"true", ST_CITUS_PUT_AUTOCOMMIT_ON, true},
	{"false", ST_CITUS_PUT_AUTOCOMMIT_OFF, true},
	{"yes", ST_CITUS_PUT_AUTOCOMMIT_ON, true},
	{"no", ST_CITUS_PUT_AUTOCOMMIT_OFF, true},
	{"1", ST_CITUS_PUT_AUTOCOMMIT_ON, true},
	{"0", ST_CITUS_PUT_AUTOCOMMIT_OFF, true},
	{NULL, 0, false}
};

/* From _PG_init: every singletable.* setting, then the prefix reserved. */
void
st_define_settings(void)
{
	DefineCustomIntVariable("singletable.max_item_size",
							"Largest item accepted, measured as DynamoDB measures item size.",
							"DynamoDB's limit is 400 KB.",
							&st_max_item_size,
							400 * 1024,
							1024,
							64 * 1024 * 1024,
							PGC_USERSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("singletable.max_events_per_append",
							"Most events one append_events call may append.",
							NULL,
							&st_max_events_per_append,
							1000, 1, 1000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.batch_get_max_keys",
							"Most keys one batch_get call may read (DynamoDB: 100).",
							NULL,
							&st_batch_get_max_keys,
							100, 1, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.batch_write_max_items",
							"Most put and delete requests in one batch_write call (DynamoDB: 25).",
							NULL,
							&st_batch_write_max_items,
							25, 1, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.transact_max_items",
							"Most actions in one transact_write or transact_get call (DynamoDB: 100).",
							NULL,
							&st_transact_max_items,
							100, 1, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.batch_get_max_size",
							"Most item data one batch_get call returns; the keys not read come back in UnprocessedKeys.",
							"DynamoDB's limit is 16 MB, items measured as for singletable.max_item_size.",
							&st_batch_get_max_size,
							16 * 1024 * 1024, 1024, 1024 * 1024 * 1024,
							PGC_USERSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.transact_get_max_size",
							"Most item data one transact_get call may return; more is an error.",
							"DynamoDB's limit is 4 MB, items measured as for singletable.max_item_size.",
							&st_transact_get_max_size,
							4 * 1024 * 1024, 1024, 1024 * 1024 * 1024,
							PGC_USERSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.ttl_interval",
							"Time between two expiry passes of the time to live worker.",
							"Takes effect when singletable is in shared_preload_libraries.",
							&st_ttl_interval,
							10, 1, 86400,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.ttl_batch_size",
							"Most expired items one transaction of an expiry pass deletes.",
							NULL,
							&st_ttl_batch_size,
							100, 1, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.ttl_busy_percent",
							"Percent of the time the time to live worker may spend expiring items.",
							"It rests the remainder between batches; 100 means no rest.",
							&st_ttl_busy_percent,
							10, 1, 100,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("singletable.index_build_batch_size",
							"Items an online index build examines per transaction.",
							"Writers of those items wait for the batch at most.",
							&st_index_build_batch_size,
							1000, 1, 1000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("singletable.create_distributed",
							 "Whether create_table distributes each new table with Citus.",
							 "Needs the citus extension; see singletable.distribute_table().",
							 &st_create_distributed,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("singletable.citus_put_autocommit",
							 "When a put_item alone in its statement commits on its Citus worker by itself.",
							 "auto: when nothing else can be in its transaction (a simple query, or an "
							 "extended-protocol Execute followed by Sync); on: also when statements are "
							 "pipelined before one Sync, which then do not commit together; off: never "
							 "(see \"Scaling out with Citus\" in the README).",
							 &st_citus_put_autocommit,
							 ST_CITUS_PUT_AUTOCOMMIT_AUTO,
							 citus_put_autocommit_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("singletable");
}
