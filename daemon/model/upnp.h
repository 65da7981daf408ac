/* UPnP description fetches: when a device announces a LOCATION over SSDP,
 * Yamori asks that device (and only that device, at an address of its own
 * on the LAN) for its description, at most once a day per device, a few at
 * a time, with a size limit and a timeout, asynchronously on the loop. No
 * redirect is followed and no name is resolved. */
#ifndef YM_UPNP_H
#define YM_UPNP_H

#include <stdint.h>

#include <uv.h>

#include "ssdp.h"
#include "util.h"

/* Largest description accepted; real ones are a few kilobytes. */
#define YM_UPNP_MAX_BYTES (64 * 1024)
/* Seconds a fetch may take from connect to the last byte. */
#define YM_UPNP_TIMEOUT_MS 5000
/* Fetches at once. */
#define YM_UPNP_MAX_ACTIVE 4
/* A device is asked again at most once a day (capture clock). */
#define YM_UPNP_INTERVAL_US (24ULL * 3600 * 1000000)

struct ym_upnp_observer {
	/* A description was read for the device with this MAC. */
	void (*described)(struct ym_upnp_observer *obs, const uint8_t mac[6],
			  const struct ym_upnp_desc *desc);
};

struct ym_upnp_stats {
	uint64_t requested, refused, fetched, failed, timeouts, too_large;
};

struct ym_upnp;

int ym_upnp_init(struct ym_upnp **out, uv_loop_t *loop,
		 struct ym_upnp_observer *obs) YM_MUST_CHECK;

/* Asks for the description at url if the rules allow it: the URL's host is
 * one of the device's own private addresses, the device was not asked in
 * the last day, and fewer than YM_UPNP_MAX_ACTIVE fetches run. Returns 0
 * when a fetch started, -EPERM/-EAGAIN/-EINVAL when it was refused. */
int ym_upnp_request(struct ym_upnp *u, const uint8_t mac[6],
		    const struct ym_addr *ips, uint8_t n_ips, const char *url,
		    uint64_t now_us);

void ym_upnp_get_stats(const struct ym_upnp *u, struct ym_upnp_stats *s);

/* Cancels running fetches and closes every handle; the struct is freed
 * once the loop has run the close callbacks. */
void ym_upnp_close(struct ym_upnp *u);

#endif
