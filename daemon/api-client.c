#include "api-client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct ym_api_client {
	int fd;
	int timeout_ms;
	json_int_t next_id;
	char *buf;  /* bytes read past the last answer */
	size_t len;
};

int ym_api_client_open(struct ym_api_client **out, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ym_api_client *c;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->buf = malloc(YM_API_CLIENT_MAX_ANSWER + 1);
	if (!c || !c->buf) {
		if (c)
			free(c->buf);
		free(c);
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->timeout_ms = YM_API_CLIENT_TIMEOUT_MS;
	c->next_id = 1;
	*out = c;
	return 0;
}

void ym_api_client_set_timeout(struct ym_api_client *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads until the buffer holds a whole line; its length with the newline,
 * or -errno. */
static ssize_t read_line(struct ym_api_client *c)
{
	uint64_t end = now_ms() + (uint64_t)c->timeout_ms;
	char *nl;

	while (!(nl = memchr(c->buf, '\n', c->len))) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		uint64_t now = now_ms();
		int wait = c->timeout_ms <= 0 ? -1 :
			   now >= end	      ? 0 :
						(int)(end - now);
		ssize_t n;

		if (c->len >= YM_API_CLIENT_MAX_ANSWER)
			return -EMSGSIZE;
		n = poll(&p, 1, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		n = read(c->fd, c->buf + c->len,
			 YM_API_CLIENT_MAX_ANSWER - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		c->len += (size_t)n;
	}
	return nl - c->buf + 1;
}

/* The next line that is not a pushed event, parsed; -errno without one. */
static int read_answer(struct ym_api_client *c, json_t **out)
{
	for (;;) {
		ssize_t n = read_line(c);
		json_t *o;

		if (n < 0)
			return (int)n;
		o = json_loadb(c->buf, (size_t)n, 0, NULL);
		memmove(c->buf, c->buf + n, c->len - (size_t)n);
		c->len -= (size_t)n;
		if (!json_is_object(o)) {
			json_decref(o);
			return -EPROTO;
		}
		if (!json_object_get(o, "event")) {
			*out = o;
			return 0;
		}
		json_decref(o);
	}
}

int ym_api_client_call(struct ym_api_client *c, const char *cmd,
		       json_t *args, json_t **result, struct ym_api_error *err)
{
	json_t *req = json_pack("{s:I, s:s, s:O?}", "id", c->next_id++, "cmd",
				cmd, "args", args), *res = NULL;
	char *line = req ? json_dumps(req, JSON_COMPACT) : NULL;
	const char *msg;
	int rc = line ? 0 : -ENOMEM;

	json_decref(req);
	if (rc == 0) {
		size_t len = strlen(line);

		/* The request is one line: its NUL becomes the newline. */
		line[len] = '\n';
		rc = send_all(c->fd, line, len + 1);
	}
	free(line);
	if (rc == 0)
		rc = read_answer(c, &res);
	if (rc < 0) {
		ym_api_fail(err, YM_API_INTERNAL, "the daemon did not answer: %s",
			    strerror(-rc));
		return rc;
	}
	if (json_is_true(json_object_get(res, "ok"))) {
		*result = json_incref(json_object_get(res, "result"));
		json_decref(res);
		return 0;
	}
	msg = json_string_value(json_object_get(res, "error"));
	ym_api_fail(err, ym_api_code_parse(json_string_value(
				 json_object_get(res, "code"))),
		    "%s", msg ? msg : "error");
	json_decref(res);
	return -EBADMSG;
}

void ym_api_client_close(struct ym_api_client *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}
