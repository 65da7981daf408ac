/* libFuzzer harness for the data files: the one loader (datafile.c) and
 * each parser it feeds, the fingerprint rules (identify.c), the support
 * knowledge base (support.c), the threat lists (intel.c) and the password
 * lists (audit-creds.c). The first byte picks the module, the second cuts
 * the rest of the input in two: each part becomes a file of that module's
 * kind in one directory, so a section or a state left open at the end of
 * one file meets the start of the next. The module then loads the directory
 * as yamorid does at start. A bad file must give an error of one terminated
 * line; a good one is queried once. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit-proto.h"
#include "identify.h"
#include "intel.h"
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const suffixes[] = { ".rules", ".kb", ".list", ".creds" };

static char dir[64];

static void cleanup(void)
{
	char path[128];

	for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
		for (int part = 0; part < 2; part++) {
			snprintf(path, sizeof(path), "%s/%d%s", dir, part,
				 suffixes[s]);
			unlink(path);
		}
	}
	rmdir(dir);
}

static void put(const char *name, const uint8_t *d, size_t n)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (n && write(fd, d, n) != (ssize_t)n))
		abort();
	close(fd);
}

/* An error is one terminated line that says something. */
static void check_err(int rc, const char *err, size_t errlen)
{
	size_t n;

	if (rc >= 0)
		return;
	n = strnlen(err, errlen);
	if (n == 0 || n >= errlen || memchr(err, '\n', n))
		abort();
}

static void fuzz_support(char *err, size_t errlen)
{
	struct ym_support *kb = NULL;
	int rc = ym_support_init(&kb, dir, err, errlen);

	check_err(rc, err, errlen);
	if (rc < 0 && rc != -ENOENT)
		return;
	if (!kb)
		abort();
	(void)ym_support_model(kb, "TP-Link", "Tapo C200");
	(void)ym_support_vendor(kb, "Brother");
	(void)ym_support_generic(kb, "camera");
	ym_support_fini(kb);
}

static void fuzz_intel(char *err, size_t errlen)
{
	struct ym_intel *in = NULL;
	struct ym_addr a;
	int rc = ym_intel_init(&in, dir, err, errlen);

	check_err(rc, err, errlen);
	if (rc < 0 && rc != -ENOENT)
		return;
	if (!in)
		abort();
	if (ym_addr_parse("203.0.113.66", &a) == 0)
		(void)ym_intel_bad_addr(in, &a);
	(void)ym_intel_bad_domain(in, "a.b.example.com");
	(void)ym_intel_bad_ja3(in, "e7d705a3286e19ea42f587b344ee6865");
	(void)ym_intel_allowed(in, "n-devs.tplinkcloud.com");
	ym_intel_fini(in);
}

static void fuzz_creds(char *err, size_t errlen)
{
	struct ym_audit_creds cr;
	uint32_t idx[16];
	size_t n;
	int rc = ym_audit_creds_load(&cr, dir, err, errlen);

	check_err(rc, err, errlen);
	if (rc < 0)
		return;
	n = ym_audit_creds_select(&cr, YM_AP_HTTP, "TP-Link", idx, 16);
	if (n > 16 || cr.n > cr.cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (idx[i] >= cr.n)
			abort();
	ym_audit_creds_free(&cr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_identify *id = NULL;
	char err[512], name[16];
	unsigned module;
	size_t cut;
	int rc;

	if (size < 2 || size > 128 * 1024)
		return 0;
	if (!dir[0]) {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
								  "/tmp";

		snprintf(dir, sizeof(dir), "%s/ym-fuzz-data-XXXXXX", base);
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	module = data[0] % 4;
	cut = data[1];
	data += 2;
	size -= 2;
	if (cut > size)
		cut = size;
	/* Only this module's files: the others' are left from earlier runs
	 * and are not read. */
	snprintf(name, sizeof(name), "0%s", suffixes[module]);
	put(name, data, cut);
	snprintf(name, sizeof(name), "1%s", suffixes[module]);
	put(name, data + cut, size - cut);

	err[0] = '\0';
	switch (module) {
	case 0:
		rc = ym_identify_init(&id, dir, err, sizeof(err));
		check_err(rc, err, sizeof(err));
		if (rc >= 0 && !id)
			abort();
		ym_identify_fini(rc >= 0 ? id : NULL);
		break;
	case 1:
		fuzz_support(err, sizeof(err));
		break;
	case 2:
		fuzz_intel(err, sizeof(err));
		break;
	default:
		fuzz_creds(err, sizeof(err));
		break;
	}
	return 0;
}
