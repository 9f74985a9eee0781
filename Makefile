# singletable: plain PGXS.  Extra targets call scripts in test/.
EXTENSION = singletable
MODULE_big = singletable
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
# The current version's install script is assembled from one fragment per
# component (src/sql/), so each component keeps its SQL declarations beside
# its C code.  Released install scripts and the upgrade scripts between
# versions are kept as they were released and never edited (src/*.sql).
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" singletable.control)
DATA_built = src/singletable--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard src/singletable--*.sql))
# `make installcheck` runs pg_regress (sql/), the isolation specs
# (test/specs/) and the TAP tests (test/t/) against an installed server, as
# PGXS does for any extension; the server needs wal_level = logical and
# singletable in output_plugin_libraries (see README).  `make test` starts a
# cluster of its own and runs the same tests on it.
REGRESS = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=singletable
ISOLATION = $(basename $(notdir $(sort $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test --load-extension=singletable
TAP_TESTS = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))
PROVE_FLAGS = -I test/t
PG_CPPFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare -Wno-cast-function-type
EXTRA_CLEAN = $(DATA_built) results regression.diffs regression.out output_iso tmp_check

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

$(DATA_built): $(sort $(wildcard src/sql/*.sql))
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
