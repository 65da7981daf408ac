/* A blocking client of the daemon's API (api.h): connect to the UNIX
 * socket, send one JSON request line, read the one answer line, within a
 * time limit. For yamorictl and test drivers; the daemon and the panel
 * never block and do not use it. */
#ifndef YM_API_CLIENT_H
#define YM_API_CLIENT_H

#include <jansson.h>

#include "api.h"
#include "util.h"

/* Longest answer read: a few megabytes hold any household's devices. */
#define YM_API_CLIENT_MAX_ANSWER (4 << 20)
/* Time an answer may take unless set otherwise. */
#define YM_API_CLIENT_TIMEOUT_MS 30000

struct ym_api_client;

/* Connects to the socket at path; -errno when no daemon listens there. */
int ym_api_client_open(struct ym_api_client **out, const char *path)
	YM_MUST_CHECK;

/* How long the next answers may take, in milliseconds (0: forever). */
void ym_api_client_set_timeout(struct ym_api_client *c, int timeout_ms);

/* Sends {"id", "cmd", "args"} and waits for its answer. Returns 0 with the
 * "result" in *result (a new reference); -EBADMSG when the daemon answered
 * with an error (err holds its code and message); another -errno when no
 * answer came (-ETIMEDOUT, -EPIPE, -EPROTO for a garbled line), with a
 * line in err->msg. */
int ym_api_client_call(struct ym_api_client *c, const char *cmd,
		       json_t *args, json_t **result,
		       struct ym_api_error *err) YM_MUST_CHECK;

/* Closes the connection; NULL is fine. */
void ym_api_client_close(struct ym_api_client *c);

#endif
