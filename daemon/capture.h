/* Capture: live interfaces and capture files through one code path. Live
 * pcap handles enter the libuv loop through uv_poll on the selectable fd and
 * are drained in bounded batches; capture files (pcap and pcapng, several,
 * in order, as one continuous capture) are read in batches from a uv_idle
 * handle so the loop keeps servicing signals and timers. Both hand each
 * frame to the same sink. */
#ifndef YM_CAPTURE_H
#define YM_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "util.h"

struct pcap_pkthdr;

/* Receives frames; embed it and use ym_container_of. */
struct ym_capture_sink {
	void (*packet)(struct ym_capture_sink *sink, int linktype,
		       const struct pcap_pkthdr *h, const uint8_t *data);
	/* The last file has been read (file mode only). */
	void (*finished)(struct ym_capture_sink *sink);
};

struct ym_capture_stats {
	uint32_t files_total, files_read, files_truncated;
	uint64_t received, dropped; /* live: from pcap_stats */
	char last_problem[256];     /* the latest truncated-file message */
};

struct ym_capture;

/* Opens every interface for live capture. On failure returns -errno with
 * one plain line in err ("no network interface named eth9"). */
int ym_capture_open_live(struct ym_capture **out, uv_loop_t *loop,
			 char (*ifaces)[64], uint32_t n, uint32_t snaplen,
			 bool promisc, struct ym_capture_sink *sink, char *err,
			 size_t errlen) YM_MUST_CHECK;

/* Checks that every file opens as a capture, then prepares to read them in
 * order. On failure returns -errno with one plain line in err. */
int ym_capture_open_files(struct ym_capture **out, uv_loop_t *loop,
			  char **files, uint32_t n,
			  struct ym_capture_sink *sink, char *err,
			  size_t errlen) YM_MUST_CHECK;

/* Starts delivering frames. */
int ym_capture_start(struct ym_capture *c) YM_MUST_CHECK;

/* Delivers what the kernel holds already (before a live capture stops). */
void ym_capture_drain(struct ym_capture *c);

/* Stops and closes the libuv handles; the capture is freed once the loop
 * has run their close callbacks. */
void ym_capture_close(struct ym_capture *c);

void ym_capture_get_stats(struct ym_capture *c, struct ym_capture_stats *s);

#endif
