#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "ym-limits.h"

struct live_if {
	uv_poll_t poll;
	pcap_t *pcap;
	int linktype;
	struct ym_capture *cap;
};

struct ym_capture {
	uv_loop_t *loop;
	struct ym_capture_sink *sink;
	bool live;
	bool closing;
	int pending_closes;

	/* Live mode. */
	struct live_if ifs[YM_MAX_INTERFACES];
	uint32_t n_ifs;

	/* File mode. */
	uv_idle_t idle;
	char **files;
	uint32_t n_files, next_file;
	pcap_t *file;
	int file_linktype;

	struct ym_capture_stats stats;
};

static void handle_closed(uv_handle_t *h)
{
	struct ym_capture *c = h->data;

	if (--c->pending_closes == 0)
		free(c);
}

void ym_capture_close(struct ym_capture *c)
{
	if (!c || c->closing)
		return;
	c->closing = true;
	c->pending_closes = 1; /* held until every handle below is closing */
	if (c->live) {
		for (uint32_t i = 0; i < c->n_ifs; i++) {
			struct pcap_stat ps;

			if (pcap_stats(c->ifs[i].pcap, &ps) == 0) {
				c->stats.received += ps.ps_recv;
				c->stats.dropped += ps.ps_drop;
			}
			if (c->ifs[i].poll.type == UV_POLL) {
				c->pending_closes++;
				uv_close((uv_handle_t *)&c->ifs[i].poll,
					 handle_closed);
			}
		}
	} else {
		c->pending_closes++;
		uv_close((uv_handle_t *)&c->idle, handle_closed);
	}
	/* libuv needs the fds until the poll handles are closed; pcap handles
	 * are closed after uv_close was issued, which is safe because the
	 * close callbacks no longer touch the fd. */
	for (uint32_t i = 0; i < c->n_ifs; i++)
		pcap_close(c->ifs[i].pcap);
	if (c->file)
		pcap_close(c->file);
	c->file = NULL;
	c->n_ifs = 0;
	if (--c->pending_closes == 0)
		free(c);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *data)
{
	struct live_if *lif = (struct live_if *)(void *)user;

	lif->cap->sink->packet(lif->cap->sink, lif->linktype, h, data);
}

static void on_readable(uv_poll_t *poll, int status, int events)
{
	struct live_if *lif = ym_container_of(poll, struct live_if, poll);
	int total = 0, n;

	(void)events;
	if (status < 0)
		return;
	/* Drain, but in bounded batches so one busy interface cannot starve
	 * the rest of the loop. */
	do {
		n = pcap_dispatch(lif->pcap, YM_FILE_BATCH, on_packet,
				  (u_char *)lif);
		if (n > 0)
			total += n;
	} while (n > 0 && total < 4 * YM_FILE_BATCH && !lif->cap->closing);
}

static int live_error(int rc, const char *iface, pcap_t *p, char *err,
		      size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(err, errlen, "no network interface named %s", iface);
		return -ENODEV;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(err, errlen,
			 "not allowed to capture on %s: run yamorid as root "
			 "or give it CAP_NET_RAW",
			 iface);
		return -EPERM;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(err, errlen, "network interface %s is down", iface);
		return -ENETDOWN;
	default:
		snprintf(err, errlen, "cannot capture on %s: %s", iface,
			 p ? pcap_geterr(p) : "unknown error");
		return -EIO;
	}
}

int ym_capture_open_live(struct ym_capture **out, uv_loop_t *loop,
			 char (*ifaces)[64], uint32_t n, uint32_t snaplen,
			 bool promisc, struct ym_capture_sink *sink, char *err,
			 size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct ym_capture *c;
	int rc = 0;

	if (n == 0 || n > YM_MAX_INTERFACES) {
		snprintf(err, errlen, "give between 1 and %d interfaces",
			 YM_MAX_INTERFACES);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->sink = sink;
	c->live = true;
	for (uint32_t i = 0; i < n; i++) {
		struct live_if *lif = &c->ifs[i];
		pcap_t *p;

		ebuf[0] = '\0';
		p = pcap_create(ifaces[i], ebuf);
		if (!p) {
			snprintf(err, errlen, "cannot capture on %s: %s",
				 ifaces[i], ebuf);
			rc = -EIO;
			goto out;
		}
		pcap_set_snaplen(p, (int)snaplen);
		pcap_set_promisc(p, promisc);
		/* Packets are delivered in blocks every 200 ms at most: few
		 * wake-ups on a router, still timely for a household. */
		pcap_set_timeout(p, 200);
		pcap_set_buffer_size(p, 4 << 20);
		rc = pcap_activate(p);
		if (rc < 0) {
			rc = live_error(rc, ifaces[i], p, err, errlen);
			pcap_close(p);
			goto out;
		}
		if (pcap_setnonblock(p, 1, ebuf) < 0 ||
		    pcap_get_selectable_fd(p) < 0) {
			snprintf(err, errlen, "cannot poll %s: %s", ifaces[i],
				 ebuf);
			pcap_close(p);
			rc = -EIO;
			goto out;
		}
		lif->pcap = p;
		lif->linktype = pcap_datalink(p);
		lif->cap = c;
		c->n_ifs++;
		rc = uv_poll_init(loop, &lif->poll, pcap_get_selectable_fd(p));
		if (rc < 0) {
			snprintf(err, errlen, "cannot poll %s: %s", ifaces[i],
				 uv_strerror(rc));
			goto out;
		}
		lif->poll.data = c;
	}
out:
	if (rc < 0) {
		/* Handles initialised so far are closed with the capture. */
		ym_capture_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

static int open_file(const char *path, pcap_t **p, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];

	ebuf[0] = '\0';
	*p = pcap_open_offline(path, ebuf);
	if (!*p) {
		snprintf(err, errlen, "cannot read capture file %s: %s", path,
			 ebuf);
		return -EINVAL;
	}
	return 0;
}

int ym_capture_open_files(struct ym_capture **out, uv_loop_t *loop,
			  char **files, uint32_t n,
			  struct ym_capture_sink *sink, char *err,
			  size_t errlen)
{
	struct ym_capture *c;
	int rc;

	for (uint32_t i = 0; i < n; i++) {
		pcap_t *p;

		rc = open_file(files[i], &p, err, errlen);
		if (rc < 0)
			return rc;
		pcap_close(p);
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->sink = sink;
	c->files = files;
	c->n_files = n;
	c->stats.files_total = n;
	rc = uv_idle_init(loop, &c->idle);
	if (rc < 0) {
		free(c);
		return rc;
	}
	c->idle.data = c;
	*out = c;
	return 0;
}

static void on_live_poll(struct ym_capture *c)
{
	for (uint32_t i = 0; i < c->n_ifs; i++)
		uv_poll_start(&c->ifs[i].poll, UV_READABLE, on_readable);
}

/* Reads the next batch of the current file, moving on to the next file at
 * its end. A file cut off in the middle keeps what was read before the cut. */
static void on_idle(uv_idle_t *idle)
{
	struct ym_capture *c = ym_container_of(idle, struct ym_capture, idle);
	char err[256];

	for (int i = 0; i < YM_FILE_BATCH && !c->closing; i++) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc;

		if (!c->file) {
			if (c->next_file == c->n_files) {
				uv_idle_stop(&c->idle);
				c->sink->finished(c->sink);
				return;
			}
			if (open_file(c->files[c->next_file++], &c->file, err,
				      sizeof(err)) < 0) {
				/* The file vanished since the start check. */
				fprintf(stderr, "yamorid: %s\n", err);
				snprintf(c->stats.last_problem,
					 sizeof(c->stats.last_problem), "%s",
					 err);
				c->stats.files_truncated++;
				continue;
			}
			c->file_linktype = pcap_datalink(c->file);
		}
		rc = pcap_next_ex(c->file, &h, &data);
		if (rc == 1) {
			c->sink->packet(c->sink, c->file_linktype, h, data);
			continue;
		}
		if (rc == PCAP_ERROR) {
			snprintf(c->stats.last_problem,
				 sizeof(c->stats.last_problem),
				 "%s: %s; what came before was kept",
				 c->files[c->next_file - 1],
				 pcap_geterr(c->file));
			fprintf(stderr, "yamorid: %s\n", c->stats.last_problem);
			c->stats.files_truncated++;
		}
		pcap_close(c->file);
		c->file = NULL;
		c->stats.files_read++;
	}
}

void ym_capture_drain(struct ym_capture *c)
{
	if (!c || !c->live)
		return;
	for (uint32_t i = 0; i < c->n_ifs; i++)
		on_readable(&c->ifs[i].poll, 0, UV_READABLE);
}

int ym_capture_start(struct ym_capture *c)
{
	if (c->live) {
		on_live_poll(c);
		return 0;
	}
	return uv_idle_start(&c->idle, on_idle);
}

void ym_capture_get_stats(struct ym_capture *c, struct ym_capture_stats *s)
{
	*s = c->stats;
	if (!c->live)
		return;
	for (uint32_t i = 0; i < c->n_ifs; i++) {
		struct pcap_stat ps;

		if (pcap_stats(c->ifs[i].pcap, &ps) == 0) {
			s->received += ps.ps_recv;
			s->dropped += ps.ps_drop;
		}
	}
}
