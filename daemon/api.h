/* The daemon's API: a UNIX socket speaking JSON lines, for yamorictl and
 * the panel. One request per line ({"id": 1, "cmd": "devices", ...}), one
 * answer per request ({"id": 1, "ok": true, "result": ...} or "ok": false
 * with "error"), and pushed events for subscribers. The socket is mode 0660
 * (group "yamori" when it exists) and every peer is checked with
 * SO_PEERCRED. Input is bounded, a bad request gets an error and the
 * connection lives on, and a slow client is dropped instead of blocking the
 * loop. */
#ifndef YM_API_H
#define YM_API_H

#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "util.h"

/* Longest request line accepted. */
#define YM_API_MAX_LINE (64 * 1024)
/* Clients at once. */
#define YM_API_MAX_CLIENTS 16
/* Answers queued for one client before it counts as stuck. */
#define YM_API_MAX_PENDING (1024 * 1024)

/* One request being handled; pass it to ym_api_defer to answer later. */
struct ym_api_call;

/* An answer owed to a client; completed exactly once. */
struct ym_api_deferred;

/* The engine answers requests; embed it and use ym_container_of. */
struct ym_api_handler {
	/* Returns the result (a new reference), or NULL with err set, or
	 * NULL after ym_api_defer when the answer comes later. */
	json_t *(*request)(struct ym_api_handler *h, const char *cmd,
			   json_t *args, struct ym_api_call *call, char *err,
			   size_t errlen);
};

/* Takes the answer to this call out of the request handler; returns NULL
 * when out of memory. */
struct ym_api_deferred *ym_api_defer(struct ym_api_call *call);

/* Sends a deferred answer (result stolen) or, with result NULL, the error;
 * dropped quietly when the client has gone meanwhile. Frees d. */
void ym_api_complete(struct ym_api_deferred *d, json_t *result,
		     const char *err);

struct ym_api_stats {
	uint64_t clients, requests, errors, refused, dropped;
};

struct ym_api;

/* Listens on path (removing a stale socket first). */
int ym_api_init(struct ym_api **out, uv_loop_t *loop, const char *path,
		struct ym_api_handler *handler, char *err, size_t errlen)
	YM_MUST_CHECK;

/* Pushes an event object to every subscribed client (steals ev). */
void ym_api_publish(struct ym_api *api, json_t *ev);

void ym_api_get_stats(const struct ym_api *api, struct ym_api_stats *s);

/* Closes the server and all clients; freed when the loop has run the close
 * callbacks. */
void ym_api_close(struct ym_api *api);

/* The socket path for a state directory: /run/yamori/yamori.sock for the
 * default state directory, else STATE_DIR/yamori.sock. */
void ym_api_default_path(const char *state_dir, char *out, size_t len);

#endif
