/* libFuzzer harness for API requests: each line of the input is one request
 * as a client sends it on the socket, taken apart as api.c's handle_line
 * does (a JSON object with "cmd", "args" and "id") and answered by the
 * engine's command table (ym_engine_request) of a real engine in file mode
 * that knows two devices. Password checks and isolation stay off, so no
 * request reaches beyond the process.
 *
 * Every answer must be one the socket can send: a result that packs and
 * dumps as JSON below the client's limit, or an error with a code and a
 * message that still packs once cleaned (issue 17, finding 2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fuzz-engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Requests per input: enough for a rename followed by the list it shows
 * in. */
#define MAX_LINES 8

static void send_checked(json_t *o)
{
	char *text;

	if (!o)
		abort();
	text = json_dumps(o, JSON_COMPACT);
	if (!text || strlen(text) + 1 > YM_API_MAX_PENDING)
		abort();
	free(text);
	json_decref(o);
}

static void reply_error(json_t *id, const struct ym_api_error *err)
{
	char clean[512];

	send_checked(json_pack("{s:O?, s:b, s:s, s:s}", "id", id, "ok", 0,
			       "error",
			       ym_utf8_or_clean(err->msg, clean, sizeof(clean)),
			       "code", ym_api_code_name(err->code)));
}

static void handle_line(struct ym_engine *e, const char *line, size_t len)
{
	json_t *req = json_loadb(line, len, 0, NULL), *id, *args, *result;
	struct ym_api_error err = { YM_API_OK, "" };
	const char *cmd;

	if (!req || !json_is_object(req)) {
		json_decref(req);
		return;
	}
	id = json_object_get(req, "id");
	cmd = json_string_value(json_object_get(req, "cmd"));
	args = json_object_get(req, "args");
	/* subscribe is the socket's own; the socket answers it alone. */
	if (!cmd || strcmp(cmd, "subscribe") == 0) {
		json_decref(req);
		return;
	}
	result = ym_engine_request(e, cmd, args ? args : json_null(), NULL,
				   &err);
	if (result) {
		send_checked(json_pack("{s:O?, s:b, s:o}", "id", id, "ok", 1,
				       "result", result));
	} else {
		/* Without a client nothing can be deferred: every failure
		 * says why. */
		if (err.code == YM_API_OK || err.code >= YM_API_CODE_MAX ||
		    !err.msg[0] || strnlen(err.msg, sizeof(err.msg)) >=
					   sizeof(err.msg))
			abort();
		reply_error(id, &err);
	}
	json_decref(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	struct ym_engine *e = ym_fuzz_engine();
	const char *text = (const char *)data;
	size_t start = 0;
	int lines = 0;

	if (!started) {
		ym_fuzz_engine_household(e, 1700000000000000ULL);
		started = true;
	}
	if (size > YM_API_MAX_LINE)
		return 0;
	for (size_t i = 0; i <= size && lines < MAX_LINES; i++) {
		if (i < size && text[i] != '\n')
			continue;
		if (i > start) {
			handle_line(e, text + start, i - start);
			lines++;
		}
		start = i + 1;
	}
	return 0;
}
