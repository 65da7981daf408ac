/* libFuzzer harness for the whole packet path: each input is a few Ethernet
 * frames, each after a 2-byte big-endian length (the last one takes what is
 * left), handed to the engine as the capture would (ym_engine_feed): decode,
 * the inventory, sniff and identification, flows with nDPI, detection and
 * the periodic work (flow expiry, commits to the store). The engine lives
 * across inputs, as the daemon does across packets, so flows and devices
 * build up; its tables are small, so eviction runs too. The capture clock
 * advances a millisecond per frame and a second per input.
 *
 * Every 64 inputs (the JSON costs more than the packets) the device list
 * must show every device (a name that does not pack as JSON must not hide a
 * device: issue 17, finding 2) and the status must dump. A failure there
 * may need the inputs before it to reproduce: replay the run's corpus. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fuzz-engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Frames per input: enough for a handshake and a few packets of a flow. */
#define MAX_FRAMES 32

static uint64_t clock_us = 1700000000000000ULL;
static uint64_t inputs;

static void count(struct ym_device *d, void *arg)
{
	(void)d;
	(*(size_t *)arg)++;
}

static void dump_checked(json_t *o)
{
	char *text;

	if (!o)
		abort();
	text = json_dumps(o, JSON_COMPACT);
	if (!text || strlen(text) + 1 > YM_API_MAX_PENDING)
		abort();
	free(text);
}

static void check(struct ym_engine *e)
{
	struct ym_api_error err = { YM_API_OK, "" };
	json_t *args = json_pack("{s:b}", "all", 1), *list;
	size_t n = 0;

	ym_inventory_foreach(e->inv, count, &n);
	list = ym_engine_request(e, "devices", args, NULL, &err);
	json_decref(args);
	dump_checked(list);
	if (json_array_size(list) != n)
		abort();
	json_decref(list);
	list = ym_engine_request(e, "status", json_null(), NULL, &err);
	dump_checked(list);
	json_decref(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	struct ym_engine *e = ym_fuzz_engine();
	size_t off = 0;
	int frames = 0;

	if (!started) {
		ym_fuzz_engine_household(e, clock_us);
		started = true;
	}
	if (size > 256 * 1024)
		return 0;
	clock_us += 1000000;
	while (off < size && frames < MAX_FRAMES) {
		size_t len = size - off;

		if (len >= 2) {
			size_t want = ((size_t)data[off] << 8) | data[off + 1];

			off += 2;
			len = size - off;
			if (want < len)
				len = want;
		} else {
			break;
		}
		if (len > 65535)
			len = 65535;
		if (ym_engine_feed(e, YM_LINK_ETHERNET, clock_us, data + off,
				   (uint32_t)len, (uint32_t)len) < 0)
			abort();
		clock_us += 1000;
		off += len;
		frames++;
	}
	if (++inputs % 64 == 0)
		check(e);
	return 0;
}
