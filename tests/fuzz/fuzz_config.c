/* libFuzzer harness for the config file (config.c): the input is the file,
 * written to a memory file and read by ym_config_load as yamorid reads
 * /etc/yamori/yamori.conf. A bad file must give an error of one terminated
 * line; a good one must leave every setting inside its bounds. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

static void check(const struct ym_config *c)
{
	CHECK_STR(c->state_dir);
	CHECK_STR(c->oui_dir);
	CHECK_STR(c->data_dir);
	CHECK_STR(c->api_socket);
	if (c->n_interfaces > YM_MAX_INTERFACES)
		abort();
	for (uint32_t i = 0; i < c->n_interfaces; i++)
		CHECK_STR(c->interfaces[i]);
	if (c->audit > YM_AUDIT_POLICY_ON || c->isolate > YM_ISOLATE_ARP ||
	    c->auto_isolate > YM_AUTO_ISOLATE_CRITICAL)
		abort();
	if (c->max_devices < 16 || c->max_flows < 1024 ||
	    c->commit_interval < 1 || c->snaplen < 256 ||
	    c->audit_parallel < 1 || c->audit_parallel > 4)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_config cfg;
	char err[256];
	size_t n;
	int rc;

	if (size > 256 * 1024)
		return 0;
	if (fd < 0) {
		fd = memfd_create("yamori.conf", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	ym_config_defaults(&cfg);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	rc = ym_config_load(&cfg, path, true, err, sizeof(err));
	if (rc == 0) {
		check(&cfg);
		return 0;
	}
	if (rc > 0)
		abort();
	/* One line, terminated, not the untouched buffer. */
	n = strnlen(err, sizeof(err));
	if (n == 0 || n >= sizeof(err) || memchr(err, '\n', n) ||
	    err[0] == 'x')
		abort();
	return 0;
}
