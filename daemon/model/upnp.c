#include "upnp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Devices remembered for the once-a-day rule. */
#define YM_UPNP_REMEMBER 256

struct fetch {
	uv_tcp_t tcp;
	uv_connect_t connect;
	uv_write_t write;
	uv_timer_t timer;
	struct ym_upnp *u;
	uint8_t mac[6];
	char request[512];
	char *buf;
	size_t len;
	int pending_closes;
	bool done, in_use;
};

struct asked {
	uint8_t mac[6];
	uint64_t at_us;
};

struct ym_upnp {
	uv_loop_t *loop;
	struct ym_upnp_observer *obs;
	struct fetch fetches[YM_UPNP_MAX_ACTIVE];
	struct asked asked[YM_UPNP_REMEMBER];
	uint32_t n_asked, next_asked;
	struct ym_upnp_stats stats;
	bool closing;
	int open_fetches;
};

int ym_upnp_init(struct ym_upnp **out, uv_loop_t *loop,
		 struct ym_upnp_observer *obs)
{
	struct ym_upnp *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->loop = loop;
	u->obs = obs;
	*out = u;
	return 0;
}

static void maybe_free(struct ym_upnp *u)
{
	if (u->closing && u->open_fetches == 0)
		free(u);
}

static void fetch_closed(uv_handle_t *h)
{
	struct fetch *f = h->data;
	struct ym_upnp *u = f->u;

	if (--f->pending_closes > 0)
		return;
	free(f->buf);
	f->buf = NULL;
	f->in_use = false;
	u->open_fetches--;
	maybe_free(u);
}

/* Ends a fetch: hands a good description to the observer, then closes. */
static void finish(struct fetch *f, bool deliver)
{
	struct ym_upnp *u = f->u;
	struct ym_upnp_desc desc;
	size_t body;
	long clen;
	int status;

	if (f->done)
		return;
	f->done = true;
	if (deliver && f->buf &&
	    ym_http_response_head(f->buf, f->len, &status, &clen, &body) == 0 &&
	    status == 200 &&
	    ym_upnp_parse(f->buf + body, f->len - body, &desc) == 0) {
		u->stats.fetched++;
		if (u->obs && u->obs->described && !u->closing)
			u->obs->described(u->obs, f->mac, &desc);
	} else if (deliver) {
		u->stats.failed++;
	}
	f->pending_closes = 2;
	uv_close((uv_handle_t *)&f->tcp, fetch_closed);
	uv_close((uv_handle_t *)&f->timer, fetch_closed);
}

static void on_timeout(uv_timer_t *t)
{
	struct fetch *f = ym_container_of(t, struct fetch, timer);

	f->u->stats.timeouts++;
	finish(f, false);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct fetch *f = ym_container_of((uv_tcp_t *)h, struct fetch, tcp);
	size_t room = YM_UPNP_MAX_BYTES + 1 - f->len;

	(void)suggested;
	/* One buffer of the limit plus one byte: a byte past the limit means
	 * the description is too large. */
	if (!f->buf)
		f->buf = malloc(YM_UPNP_MAX_BYTES + 1);
	buf->base = f->buf ? f->buf + f->len : NULL;
	buf->len = f->buf ? room : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct fetch *f = ym_container_of((uv_tcp_t *)s, struct fetch, tcp);

	(void)buf;
	if (n > 0) {
		f->len += (size_t)n;
		if (f->len > YM_UPNP_MAX_BYTES) {
			f->u->stats.too_large++;
			finish(f, false);
		}
		return;
	}
	if (n == UV_EOF)
		finish(f, true);
	else if (n < 0)
		finish(f, false);
}

static void on_written(uv_write_t *w, int status)
{
	struct fetch *f = ym_container_of(w, struct fetch, write);

	if (f->done)
		return;
	if (status < 0 ||
	    uv_read_start((uv_stream_t *)&f->tcp, on_alloc, on_read) < 0)
		finish(f, false);
}

static void on_connected(uv_connect_t *c, int status)
{
	struct fetch *f = ym_container_of(c, struct fetch, connect);
	uv_buf_t b = uv_buf_init(f->request, (unsigned)strlen(f->request));

	if (f->done)
		return;
	if (status < 0 ||
	    uv_write(&f->write, (uv_stream_t *)&f->tcp, &b, 1, on_written) < 0)
		finish(f, false);
}

/* True (and remembered) when the device may be asked now. */
static bool may_ask(struct ym_upnp *u, const uint8_t mac[6], uint64_t now)
{
	for (uint32_t i = 0; i < u->n_asked; i++) {
		if (memcmp(u->asked[i].mac, mac, 6) != 0)
			continue;
		if (now < u->asked[i].at_us + YM_UPNP_INTERVAL_US)
			return false;
		u->asked[i].at_us = now;
		return true;
	}
	memcpy(u->asked[u->next_asked].mac, mac, 6);
	u->asked[u->next_asked].at_us = now;
	u->next_asked = (u->next_asked + 1) % YM_UPNP_REMEMBER;
	if (u->n_asked < YM_UPNP_REMEMBER)
		u->n_asked++;
	return true;
}

int ym_upnp_request(struct ym_upnp *u, const uint8_t mac[6],
		    const struct ym_addr *ips, uint8_t n_ips, const char *url,
		    uint64_t now_us)
{
	struct sockaddr_storage ss;
	struct ym_addr host;
	struct fetch *f = NULL;
	char path[256], hosttext[YM_ADDR_STRLEN];
	uint16_t port;
	bool own = false;

	if (u->closing)
		return -EAGAIN;
	if (ym_url_parse(url, &host, &port, path, sizeof(path)) < 0) {
		u->stats.refused++;
		return -EINVAL;
	}
	/* Only the announcing device, at one of its own LAN addresses. */
	for (uint8_t i = 0; i < n_ips; i++)
		if (ym_addr_equal(&ips[i], &host))
			own = true;
	if (!own || !ym_addr_is_private(&host)) {
		u->stats.refused++;
		return -EPERM;
	}
	for (int i = 0; i < YM_UPNP_MAX_ACTIVE; i++)
		if (!u->fetches[i].in_use)
			f = &u->fetches[i];
	if (!f)
		return -EAGAIN;
	if (!may_ask(u, mac, now_us))
		return -EAGAIN;
	memset(f, 0, sizeof(*f));
	f->u = u;
	f->in_use = true;
	memcpy(f->mac, mac, 6);
	ym_addr_format(&host, hosttext, sizeof(hosttext));
	snprintf(f->request, sizeof(f->request),
		 "GET %s HTTP/1.0\r\nHost: %s%s%s:%u\r\n"
		 "User-Agent: Yamori/1.0 UPnP/1.1\r\nConnection: close\r\n\r\n",
		 path, host.family == 6 ? "[" : "", hosttext,
		 host.family == 6 ? "]" : "", port);
	memset(&ss, 0, sizeof(ss));
	if (host.family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, host.a, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, host.a, 16);
	}
	uv_tcp_init(u->loop, &f->tcp);
	uv_timer_init(u->loop, &f->timer);
	f->tcp.data = f->timer.data = f;
	u->open_fetches++;
	u->stats.requested++;
	uv_timer_start(&f->timer, on_timeout, YM_UPNP_TIMEOUT_MS, 0);
	if (uv_tcp_connect(&f->connect, &f->tcp, (struct sockaddr *)&ss,
			   on_connected) < 0)
		finish(f, false);
	return 0;
}

void ym_upnp_get_stats(const struct ym_upnp *u, struct ym_upnp_stats *s)
{
	*s = u->stats;
}

void ym_upnp_close(struct ym_upnp *u)
{
	if (!u)
		return;
	u->closing = true;
	for (int i = 0; i < YM_UPNP_MAX_ACTIVE; i++)
		if (u->fetches[i].in_use && !u->fetches[i].done)
			finish(&u->fetches[i], false);
	maybe_free(u);
}
