/* intel-bench: what the threat lists cost a router. Loads a directory of
 * .list files (default: the shipped data/intel) and prints the entries, the
 * memory the loaded sets take (resident size before and after) and the
 * cost of one address and one domain lookup, which the daemon does per new
 * flow (not per packet). With --synthetic N it first writes N random
 * address entries to a temporary directory, to check the budget
 * (data/intel/README.md: at most 16 MB per million entries).
 *
 *     intel-bench [--synthetic N] [DIR]
 *
 * Prints, asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "intel.h"
#include "util.h"

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

int main(int argc, char **argv)
{
	const char *dir = YM_SOURCE_DATADIR "/intel";
	char tmp[] = "/tmp/intel-bench-XXXXXX", path[64], err[512];
	struct ym_intel *in;
	long before, after;
	double t0, t1;
	long synthetic = 0;
	volatile unsigned hits = 0;
	const int n = 2000000;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "--synthetic") == 0) {
		synthetic = strtol(argv[2], NULL, 10);
		i = 3;
	}
	if (i < argc)
		dir = argv[i];
	if (synthetic > 0) {
		FILE *f;

		if (!mkdtemp(tmp))
			return 1;
		snprintf(path, sizeof(path), "%s/synthetic.list", tmp);
		f = fopen(path, "w");
		if (!f)
			return 1;
		for (long k = 0; k < synthetic; k++) {
			uint32_t a = next();

			fprintf(f, "ip %u.%u.%u.%u source=bench\n", a >> 24,
				(a >> 16) & 255, (a >> 8) & 255, a & 255);
		}
		fclose(f);
		dir = tmp;
	}
	before = rss_kb();
	t0 = now_s();
	if (ym_intel_init(&in, dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "intel-bench: %s\n", err);
		return 1;
	}
	t1 = now_s();
	after = rss_kb();
	printf("lists      %s\n", dir);
	printf("entries    %zu\n", ym_intel_count(in));
	printf("load       %.0f ms\n", (t1 - t0) * 1e3);
	printf("memory     %ld kB resident (%.1f bytes per entry)\n",
	       after - before,
	       ym_intel_count(in) ?
		       (double)(after - before) * 1024 / ym_intel_count(in) :
		       0.0);

	t0 = now_s();
	for (int k = 0; k < n; k++) {
		struct ym_addr a;
		uint8_t v4[4];
		uint32_t r = next();

		memcpy(v4, &r, 4);
		ym_addr_set4(&a, v4);
		hits += ym_intel_bad_addr(in, &a);
	}
	t1 = now_s();
	printf("address    %.0f ns per lookup (%u hits in %d)\n",
	       (t1 - t0) * 1e9 / n, hits, n);
	t0 = now_s();
	for (int k = 0; k < n; k++) {
		char name[64];

		snprintf(name, sizeof(name), "cdn%u.img.example%u.com",
			 next() % 1000, k % 97);
		hits += ym_intel_bad_domain(in, name);
	}
	t1 = now_s();
	printf("domain     %.0f ns per lookup (4 labels, incl. formatting)\n",
	       (t1 - t0) * 1e9 / n);
	ym_intel_fini(in);
	if (synthetic > 0) {
		unlink(path);
		rmdir(tmp);
	}
	return 0;
}
