/*
 * singletable.c
 *	  Module entry point: the magic block and the settings.  Each component
 *	  owns its own code; this file only registers what is process-wide.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "singletable.h"

PG_MODULE_MAGIC;

/* singletable.max_item_size: DynamoDB's 400 KB item limit, in bytes */
int			st_max_item_size = 400 * 1024;
int			st_max_events_per_append = 1000;
int			st_batch_get_max_keys = 100;
int			st_batch_write_max_items = 25;
int			st_transact_max_items = 100;
int			st_index_build_batch_size = 1000;

void		_PG_init(void);

void
_PG_init(void)
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
	DefineCustomIntVariable("singletable.index_build_batch_size",
							"Items an online index build examines per transaction.",
							"Writers of those items wait for the batch at most.",
							&st_index_build_batch_size,
							1000, 1, 1000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("singletable");
}
