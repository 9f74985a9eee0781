# singletable: plain PGXS.  Extra targets call scripts in test/.
EXTENSION = singletable
MODULE_big = singletable
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
# The install script is assembled from one fragment per component (src/sql/),
# so each component keeps its SQL declarations beside its C code.
DATA_built = src/singletable--0.1.sql
REGRESS = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=singletable
PG_CPPFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare -Wno-cast-function-type
EXTRA_CLEAN = src/singletable--0.1.sql results regression.diffs regression.out output_iso tmp_check

PG_CONFIG ?= $(shell test -x /usr/lib/postgresql/15/bin/pg_config && echo /usr/lib/postgresql/15/bin/pg_config || echo pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
# On a fresh machine PGXS comes with postgresql-server-dev-15, which
# `make test` and `make run` install first (test/setup-deps.sh).
all install:
	@echo "PGXS not found: run 'make test' or 'make run' (they install postgresql-server-dev-15), or test/setup-deps.sh" >&2; exit 1
endif

src/singletable--0.1.sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

.PHONY: test run psql stop bench fuzz deps
deps:
	test/setup-deps.sh
test:
	test/run-tests
run:
	test/run-example
psql:
	@test/run-psql
stop:
	@test/run-psql --stop
bench:
	test/bench/run
fuzz:
	test/fuzz/run
