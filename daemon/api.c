#define _GNU_SOURCE
#include "api.h"
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

struct client {
	uv_pipe_t pipe;
	uint32_t generation;  /* counts connections that used this slot */
	struct ym_api *api;
	char *buf;
	size_t len;
	size_t pending;     /* bytes written but not yet sent */
	bool subscribed;
	bool closing;
	bool in_use;
};

struct ym_api_call {
	struct client *c;
	json_t *id;
	bool deferred;
};

struct ym_api_deferred {
	struct ym_api *api;
	struct client *c;
	uint32_t generation;
	json_t *id;
};

struct write_req {
	uv_write_t req;
	struct client *c;
	size_t len;
	char data[];
};

struct ym_api {
	uv_loop_t *loop;
	uv_pipe_t server;
	struct ym_api_handler *handler;
	struct client clients[YM_API_MAX_CLIENTS];
	char path[256];
	gid_t group;
	bool has_group;
	bool closing;
	int open_handles;
	struct ym_api_stats stats;
};

void ym_api_default_path(const char *state_dir, char *out, size_t len)
{
	/* The installed daemon (the default state) answers in /run, which
	 * systemd's RuntimeDirectory provides; any other instance next to
	 * its own state, so several can run side by side. */
	if (strcmp(state_dir, YM_DEFAULT_STATE_DIR) == 0)
		snprintf(out, len, "/run/yamori/yamori.sock");
	else
		snprintf(out, len, "%s/yamori.sock", state_dir);
}

static void maybe_free(struct ym_api *api)
{
	if (api->closing && api->open_handles == 0)
		free(api);
}

static void client_closed(uv_handle_t *h)
{
	struct client *c = h->data;
	struct ym_api *api = c->api;

	free(c->buf);
	c->buf = NULL;
	c->len = 0;
	c->in_use = false;
	api->open_handles--;
	maybe_free(api);
}

static void client_close(struct client *c)
{
	if (c->closing)
		return;
	c->closing = true;
	uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void written(uv_write_t *req, int status)
{
	struct write_req *w = ym_container_of(req, struct write_req, req);

	w->c->pending -= w->len;
	if (status < 0)
		client_close(w->c);
	free(w);
}

/* Queues one JSON line; a client that does not read is dropped. */
static void send_json(struct client *c, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT);
	size_t len;
	struct write_req *w;
	uv_buf_t b;

	if (!text || c->closing)
		goto out;
	len = strlen(text);
	if (c->pending + len + 1 > YM_API_MAX_PENDING) {
		c->api->stats.dropped++;
		client_close(c);
		goto out;
	}
	w = malloc(sizeof(*w) + len + 1);
	if (!w)
		goto out;
	memcpy(w->data, text, len);
	w->data[len] = '\n';
	w->c = c;
	w->len = len + 1;
	b = uv_buf_init(w->data, (unsigned)(len + 1));
	c->pending += w->len;
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, written) < 0) {
		c->pending -= w->len;
		free(w);
		client_close(c);
	}
out:
	free(text);
}

static const char *const code_names[YM_API_CODE_MAX] = {
	[YM_API_OK] = "ok",
	[YM_API_BAD_REQUEST] = "bad_request",
	[YM_API_UNKNOWN_COMMAND] = "unknown_command",
	[YM_API_NOT_FOUND] = "not_found",
	[YM_API_REFUSED] = "refused",
	[YM_API_BUSY] = "busy",
	[YM_API_OFF] = "off",
	[YM_API_FAILED] = "failed",
	[YM_API_INTERNAL] = "internal",
};

const char *ym_api_code_name(enum ym_api_code code)
{
	if ((unsigned)code >= YM_API_CODE_MAX)
		return code_names[YM_API_INTERNAL];
	return code_names[code];
}

enum ym_api_code ym_api_code_parse(const char *word)
{
	for (int i = 0; word && i < YM_API_CODE_MAX; i++)
		if (strcmp(code_names[i], word) == 0)
			return (enum ym_api_code)i;
	return YM_API_INTERNAL;
}

json_t *ym_api_fail(struct ym_api_error *err, enum ym_api_code code,
		    const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

static void reply_error(struct client *c, json_t *id, enum ym_api_code code,
			const char *msg)
{
	char clean[512];
	/* The message may quote the request: cut or broken UTF-8 there must
	 * not cost the answer itself. */
	json_t *o = json_pack("{s:O?, s:b, s:s, s:s}", "id", id, "ok", 0,
			      "error", ym_utf8_or_clean(msg, clean,
							sizeof(clean)),
			      "code", ym_api_code_name(code));

	c->api->stats.errors++;
	if (o)
		send_json(c, o);
	json_decref(o);
}

static void handle_line(struct client *c, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(line, len, 0, &jerr), *id, *args, *result;
	const char *cmd;
	struct ym_api_error err = { YM_API_OK, "" };

	c->api->stats.requests++;
	if (!req || !json_is_object(req)) {
		reply_error(c, NULL, YM_API_BAD_REQUEST,
			    "a request is one JSON object per line");
		json_decref(req);
		return;
	}
	id = json_object_get(req, "id");
	cmd = json_string_value(json_object_get(req, "cmd"));
	args = json_object_get(req, "args");
	if (!cmd) {
		reply_error(c, id, YM_API_BAD_REQUEST, "missing \"cmd\"");
	} else if (strcmp(cmd, "subscribe") == 0) {
		json_t *o = json_pack("{s:O?, s:b, s:n}", "id", id, "ok", 1,
				      "result");

		c->subscribed = true;
		send_json(c, o);
		json_decref(o);
	} else {
		struct ym_api_call call = { c, id, false };

		result = c->api->handler->request(c->api->handler, cmd,
						  args ? args : json_null(),
						  &call, &err);
		if (!result && call.deferred) {
			/* Answered later with ym_api_complete. */
		} else if (!result) {
			reply_error(c, id,
				    err.code ? err.code : YM_API_INTERNAL,
				    err.msg[0] ? err.msg : "request failed");
		} else {
			json_t *o = json_pack("{s:O?, s:b, s:o}", "id", id,
					      "ok", 1, "result", result);

			if (o)
				send_json(c, o);
			else
				reply_error(c, id, YM_API_INTERNAL,
					    "the answer could not be written");
			json_decref(o);
		}
	}
	json_decref(req);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct client *c = h->data;
	size_t room = YM_API_MAX_LINE + 1 - c->len;

	(void)suggested;
	if (!c->buf)
		c->buf = malloc(YM_API_MAX_LINE + 1);
	b->base = c->buf ? c->buf + c->len : NULL;
	b->len = c->buf ? room : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct client *c = s->data;
	size_t start = 0;

	(void)b;
	if (n < 0) {
		client_close(c);
		return;
	}
	c->len += (size_t)n;
	for (size_t i = 0; i < c->len && !c->closing; i++) {
		if (c->buf[i] != '\n')
			continue;
		if (i > start)
			handle_line(c, c->buf + start, i - start);
		start = i + 1;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
	/* A line longer than the limit is answered once, then the client
	 * goes: there is no way to find the next request in it. */
	if (c->len > YM_API_MAX_LINE && !c->closing) {
		reply_error(c, NULL, YM_API_BAD_REQUEST, "request too long");
		client_close(c);
	}
}

/* Supplementary groups read from a peer: a household's users have a few;
 * NGROUPS_MAX (65536) would cost 256 KB of stack for nothing. */
#define YM_API_MAX_PEER_GROUPS 256

/* Whether the peer has group among its supplementary groups (the panel's
 * own user is in group yamori as a supplementary group). */
static bool peer_in_group(int fd, gid_t group)
{
	gid_t groups[YM_API_MAX_PEER_GROUPS];
	socklen_t len = sizeof(groups);

	/* More groups than the buffer holds is ERANGE: refused, not
	 * guessed. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == group)
			return true;
	return false;
}

static bool peer_allowed(struct ym_api *api, uv_pipe_t *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)p, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	/* Root, the daemon's own user, or the yamori group. */
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	if (!api->has_group)
		return false;
	return cred.gid == api->group || peer_in_group(fd, api->group);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct ym_api *api = ym_container_of((uv_pipe_t *)server, struct ym_api,
					     server);
	struct client *c = NULL;

	if (status < 0)
		return;
	for (int i = 0; i < YM_API_MAX_CLIENTS && !c; i++)
		if (!api->clients[i].in_use)
			c = &api->clients[i];
	if (!c) {
		/* Full: accept and close, so the caller is not left hanging. */
		uv_pipe_t *tmp = malloc(sizeof(*tmp));

		api->stats.refused++;
		if (!tmp)
			return;
		uv_pipe_init(api->loop, tmp, 0);
		if (uv_accept(server, (uv_stream_t *)tmp) == 0) {
			uv_close((uv_handle_t *)tmp, (uv_close_cb)free);
		} else {
			uv_close((uv_handle_t *)tmp, (uv_close_cb)free);
		}
		return;
	}
	{
		uint32_t generation = c->generation + 1;

		memset(c, 0, sizeof(*c));
		c->generation = generation;
	}
	c->api = api;
	c->in_use = true;
	uv_pipe_init(api->loop, &c->pipe, 0);
	c->pipe.data = c;
	api->open_handles++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0 ||
	    !peer_allowed(api, &c->pipe)) {
		api->stats.refused++;
		client_close(c);
		return;
	}
	api->stats.clients++;
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

static bool socket_alive(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	alive = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return alive;
}

static bool socket_in_group(const char *path, gid_t group)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_gid == group;
}

static void server_closed(uv_handle_t *h)
{
	struct ym_api *api = ym_container_of((uv_pipe_t *)h, struct ym_api,
					     server);

	api->open_handles--;
	maybe_free(api);
}

int ym_api_init(struct ym_api **out, uv_loop_t *loop, const char *path,
		struct ym_api_handler *handler, char *err, size_t errlen)
{
	struct ym_api *api = calloc(1, sizeof(*api));
	struct group *g = getgrnam("yamori");
	char dir[256], *slash;
	int rc;

	if (!api)
		return -ENOMEM;
	api->loop = loop;
	api->handler = handler;
	snprintf(api->path, sizeof(api->path), "%s", path);
	if (g) {
		api->group = g->gr_gid;
		api->has_group = true;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0750);
	}
	/* A socket left by a killed daemon is stale: nobody listens. One that
	 * answers belongs to a daemon still running. */
	if (socket_alive(path)) {
		snprintf(err, errlen, "another yamorid is running (%s)", path);
		free(api);
		return -EADDRINUSE;
	}
	unlink(path);
	uv_pipe_init(loop, &api->server, 0);
	api->open_handles = 1;
	rc = uv_pipe_bind(&api->server, path);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&api->server, 32, on_connection);
	if (rc < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path,
			 uv_strerror(rc));
		/* The struct goes with the handle's close callback. */
		api->closing = true;
		uv_close((uv_handle_t *)&api->server, server_closed);
		*out = NULL;
		return rc;
	}
	chmod(path, 0660);
	/* Under systemd (Group=yamori) the socket is born in the group, and
	 * the unit's system call filter refuses chown: only change what is
	 * not already so. */
	if (api->has_group && !socket_in_group(path, api->group) &&
	    chown(path, (uid_t)-1, api->group) < 0)
		api->has_group = false;
	*out = api;
	return 0;
}

struct ym_api_deferred *ym_api_defer(struct ym_api_call *call)
{
	struct ym_api_deferred *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->api = call->c->api;
	d->c = call->c;
	d->generation = call->c->generation;
	d->id = json_incref(call->id);
	call->deferred = true;
	return d;
}

void ym_api_complete(struct ym_api_deferred *d, json_t *result,
		     enum ym_api_code code, const char *msg)
{
	struct client *c = d->c;

	/* The same slot with the same generation is the same client. */
	if (!d->api->closing && c->in_use && !c->closing &&
	    c->generation == d->generation) {
		if (result) {
			json_t *o = json_pack("{s:O?, s:b, s:o}", "id", d->id,
					      "ok", 1, "result", result);

			result = NULL;
			send_json(c, o);
			json_decref(o);
		} else {
			reply_error(c, d->id, code ? code : YM_API_INTERNAL,
				    msg ? msg : "request failed");
		}
	}
	json_decref(result);
	json_decref(d->id);
	free(d);
}

void ym_api_publish(struct ym_api *api, json_t *ev)
{
	if (!api || api->closing) {
		json_decref(ev);
		return;
	}
	for (int i = 0; i < YM_API_MAX_CLIENTS; i++) {
		struct client *c = &api->clients[i];

		if (c->in_use && c->subscribed && !c->closing)
			send_json(c, ev);
	}
	json_decref(ev);
}

void ym_api_get_stats(const struct ym_api *api, struct ym_api_stats *s)
{
	*s = api->stats;
}

void ym_api_close(struct ym_api *api)
{
	if (!api)
		return;
	if (api->closing) {
		maybe_free(api);
		return;
	}
	api->closing = true;
	for (int i = 0; i < YM_API_MAX_CLIENTS; i++)
		if (api->clients[i].in_use)
			client_close(&api->clients[i]);
	uv_close((uv_handle_t *)&api->server, server_closed);
	unlink(api->path);
}
