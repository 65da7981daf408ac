/* The blocking API client (api-client.c) against a scripted server in a
 * thread: answers, coded errors, pushed events, silence and hang-ups. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "api-client.h"

struct server {
	char dir[48], path[64];
	int listen_fd;
	const char *reply; /* sent after the request line; NULL: hang up */
	int silent_ms;     /* with reply "": wait this long, then hang up */
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	char buf[4096];
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	while (!memchr(buf, '\n', len) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (s->reply && s->reply[0] && write(fd, s->reply, strlen(s->reply)) < 0)
		perror("write");
	if (s->reply && !s->reply[0])
		usleep((useconds_t)s->silent_ms * 1000);
	close(fd);
	return NULL;
}

static void start(struct server *s, const char *reply, int silent_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(s->dir, sizeof(s->dir), "/tmp/ym-api-client-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/sock", s->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s->listen_fd >= 0);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sun,
			      sizeof(sun)), 0);
	assert_int_equal(listen(s->listen_fd, 1), 0);
	s->reply = reply;
	s->silent_ms = silent_ms;
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	unlink(s->path);
	rmdir(s->dir);
}

/* Calls "status" once against a server giving reply; returns the rc. */
static int call_once(const char *reply, int silent_ms, int timeout_ms,
		     json_t **result, struct ym_api_error *err)
{
	struct server s;
	struct ym_api_client *c;
	int rc;

	start(&s, reply, silent_ms);
	assert_int_equal(ym_api_client_open(&c, s.path), 0);
	ym_api_client_set_timeout(c, timeout_ms);
	*result = NULL;
	memset(err, 0, sizeof(*err));
	rc = ym_api_client_call(c, "status", NULL, result, err);
	ym_api_client_close(c);
	stop(&s);
	return rc;
}

static void no_daemon(void **state)
{
	struct ym_api_client *c = NULL;

	(void)state;
	assert_true(ym_api_client_open(&c, "/nonexistent/yamori.sock") < 0);
	ym_api_client_close(NULL);
}

static void answer(void **state)
{
	struct ym_api_error err;
	json_t *r;

	(void)state;
	assert_int_equal(call_once("{\"id\": 1, \"ok\": true, \"result\": "
				   "{\"state\": \"running\"}}\n",
				   0, 2000, &r, &err), 0);
	assert_string_equal(json_string_value(json_object_get(r, "state")),
			    "running");
	json_decref(r);
}

static void coded_error(void **state)
{
	struct ym_api_error err;
	json_t *r;

	(void)state;
	assert_int_equal(call_once("{\"id\": 1, \"ok\": false, \"error\": "
				   "\"refused: the router\", \"code\": "
				   "\"refused\"}\n",
				   0, 2000, &r, &err), -EBADMSG);
	assert_null(r);
	assert_int_equal(err.code, YM_API_REFUSED);
	assert_string_equal(err.msg, "refused: the router");
}

static void events_are_skipped(void **state)
{
	struct ym_api_error err;
	json_t *r;

	(void)state;
	assert_int_equal(call_once("{\"event\": \"alert\"}\n{\"id\": 1, "
				   "\"ok\": true, \"result\": 5}\n",
				   0, 2000, &r, &err), 0);
	assert_int_equal(json_integer_value(r), 5);
	json_decref(r);
}

static void silence_times_out(void **state)
{
	struct ym_api_error err;
	json_t *r;

	(void)state;
	assert_int_equal(call_once("", 1000, 100, &r, &err), -ETIMEDOUT);
	assert_int_equal(err.code, YM_API_INTERNAL);
}

static void hang_up_and_garbage(void **state)
{
	struct ym_api_error err;
	json_t *r;

	(void)state;
	assert_int_equal(call_once(NULL, 0, 2000, &r, &err), -EPIPE);
	assert_int_equal(call_once("not json\n", 0, 2000, &r, &err), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_daemon),
		cmocka_unit_test(answer),
		cmocka_unit_test(coded_error),
		cmocka_unit_test(events_are_skipped),
		cmocka_unit_test(silence_times_out),
		cmocka_unit_test(hang_up_and_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
