/*
 * fuzz_clock.h
 *	  The per-input time limit every fuzz target enforces: an input whose
 *	  processing takes more than FUZZ_MAX_MS milliseconds of CPU time is a
 *	  finding (abort, so libFuzzer keeps the input), which is what catches
 *	  paths quadratic in the input's size.  libFuzzer's own -timeout counts
 *	  whole seconds of wall-clock time, too coarse for that and at the
 *	  mercy of a loaded machine; CPU time of the fuzzing thread is not.
 *	  The environment variable FUZZ_MAX_MS overrides the limit.
 */
#ifndef SINGLETABLE_FUZZ_CLOCK_H
#define SINGLETABLE_FUZZ_CLOCK_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FUZZ_DEFAULT_MAX_MS 100

static struct timespec fuzz_clock_t0;

static inline double
fuzz_clock_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (t.tv_sec - fuzz_clock_t0.tv_sec) * 1000.0 +
		(t.tv_nsec - fuzz_clock_t0.tv_nsec) / 1e6;
}

static inline void
fuzz_clock_start(void)
{
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &fuzz_clock_t0);
}

/* Abort when the input started by fuzz_clock_start() took too long. */
static inline void
fuzz_clock_check(size_t size)
{
	static double limit = 0;
	double		ms = fuzz_clock_ms();

	if (limit == 0)
	{
		const char *env = getenv("FUZZ_MAX_MS");

		limit = env ? atof(env) : FUZZ_DEFAULT_MAX_MS;
		if (limit <= 0)
			limit = FUZZ_DEFAULT_MAX_MS;
	}
	if (ms > limit)
	{
		fprintf(stderr, "fuzz: an input of %zu bytes took %.1f ms of CPU time, more than %.0f ms\n",
				size, ms, limit);
		abort();
	}
}

#endif							/* SINGLETABLE_FUZZ_CLOCK_H */
