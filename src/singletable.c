/*
 * singletable.c
 *	  Module entry point: the magic block and _PG_init, which defines the
 *	  settings (settings.c) and, when preloaded, registers the time to live
 *	  launcher (ttl_worker.c).  The top of the module: it calls down into
 *	  the components and nothing calls into it.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "settings.h"
#include "ttl.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	st_define_settings();
	if (process_shared_preload_libraries_in_progress)
		st_ttl_register_launcher();
}
