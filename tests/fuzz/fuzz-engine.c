/* The engine shared by fuzz_api and fuzz_packet (fuzz-engine.h). */
#define _GNU_SOURCE
#include "fuzz-engine.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uv_loop_t loop;
static struct ym_engine *engine;
static char dir[64];

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0])
		(void)nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

struct ym_engine *ym_fuzz_engine(void)
{
	struct ym_config cfg;
	char err[256];

	if (engine)
		return engine;
	snprintf(dir, sizeof(dir), "%s/ym-fuzz-engine-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir) || uv_loop_init(&loop) != 0)
		abort();
	atexit(cleanup);
	ym_config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", dir);
	if (access(YM_DEFAULT_OUI_DIR "/oui.csv", R_OK) == 0)
		snprintf(cfg.oui_dir, sizeof(cfg.oui_dir), "%s",
			 YM_DEFAULT_OUI_DIR);
	else
		snprintf(cfg.oui_dir, sizeof(cfg.oui_dir), "%s", dir);
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", YM_SOURCE_DATADIR);
	/* The smallest tables the config allows. */
	cfg.max_devices = 16;
	cfg.max_stored_devices = 16;
	cfg.max_flows = 1024;
	cfg.max_log_entries = 100;
	cfg.audit = YM_AUDIT_POLICY_OFF;
	cfg.isolate = YM_ISOLATE_NONE;
	cfg.auto_isolate = YM_AUTO_ISOLATE_NEVER;
	if (ym_engine_init(&engine, &loop, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz: cannot start the engine: %s\n", err);
		abort();
	}
	return engine;
}

/* An ARP reply from mac at 192.168.1.last to the router. */
static void arp(struct ym_engine *e, uint64_t ts_us, const uint8_t mac[6],
		uint8_t last)
{
	static const uint8_t router[6] = { 0x02, 0, 0, 0, 0, 1 };
	uint8_t f[42];

	memcpy(f, router, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	/* Ethernet, IPv4, 6 and 4 bytes, reply. */
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x02", 8);
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, "\xc0\xa8\x01", 3);
	f[31] = last;
	memcpy(f + 32, router, 6);
	memcpy(f + 38, "\xc0\xa8\x01\x01", 4);
	if (ym_engine_feed(e, YM_LINK_ETHERNET, ts_us, f, sizeof(f),
			   sizeof(f)) < 0)
		abort();
}

void ym_fuzz_engine_household(struct ym_engine *e, uint64_t ts_us)
{
	static const uint8_t a[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t b[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x66 };

	arp(e, ts_us, a, 20);
	arp(e, ts_us + 1000, b, 21);
}
