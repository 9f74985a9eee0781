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
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

src/singletable--0.1.sql: $(sort $(wildcard src/sql/*.sql))
	cat $^ > $@

.PHONY: test run bench fuzz deps
deps:
	test/setup-deps.sh
test:
	test/run-tests
run:
	test/run-example
bench:
	test/bench/run
fuzz:
	test/fuzz/run
