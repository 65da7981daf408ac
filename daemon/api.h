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

/* The machine code every error answer carries next to its message
 * ("code" beside "error"); clients decide on the code, never on the text.
 * docs/API.md lists them. */
enum ym_api_code {
	YM_API_OK,
	YM_API_BAD_REQUEST,     /* the request or its arguments are wrong */
	YM_API_UNKNOWN_COMMAND, /* this daemon has no such command */
	YM_API_NOT_FOUND,       /* no such device or alert */
	YM_API_REFUSED,         /* a safety rule says no */
	YM_API_BUSY,            /* not now; try later */
	YM_API_OFF,             /* the feature is turned off in the config */
	YM_API_FAILED,          /* tried, and it did not work */
	YM_API_INTERNAL,        /* out of memory, the database failed */
	YM_API_CODE_MAX
};

/* The word for a code ("bad_request"); "internal" when out of range. */
const char *ym_api_code_name(enum ym_api_code code);

/* The code for a word; YM_API_INTERNAL for a word not known. */
enum ym_api_code ym_api_code_parse(const char *word);

/* Why a request failed: a code and one line for people. */
struct ym_api_error {
	enum ym_api_code code;
	char msg[256];
};

/* Sets err and returns NULL, so a handler can "return ym_api_fail(...)". */
json_t *ym_api_fail(struct ym_api_error *err, enum ym_api_code code,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The engine answers requests; embed it and use ym_container_of. */
struct ym_api_handler {
	/* Returns the result (a new reference), or NULL with err set, or
	 * NULL after ym_api_defer when the answer comes later. */
	json_t *(*request)(struct ym_api_handler *h, const char *cmd,
			   json_t *args, struct ym_api_call *call,
			   struct ym_api_error *err);
};

/* Takes the answer to this call out of the request handler; returns NULL
 * when out of memory. */
struct ym_api_deferred *ym_api_defer(struct ym_api_call *call);

/* Sends a deferred answer (result stolen) or, with result NULL, the error
 * (code and message); dropped quietly when the client has gone meanwhile.
 * Frees d. */
void ym_api_complete(struct ym_api_deferred *d, json_t *result,
		     enum ym_api_code code, const char *msg);

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
