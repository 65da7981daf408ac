/* The data file loader: name order, comments, trimming, FILE:LINE errors,
 * long lines, files that are not regular, an empty directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "datafile.h"

struct seen {
	char text[2048];
	char warnings[1024];
	int ends;
	int fail_on; /* line number that fails, 0 for none */
};

static int on_line(void *ctx, char *text, unsigned lineno, char *why,
		   size_t whylen)
{
	struct seen *s = ctx;
	size_t off = strlen(s->text);

	if ((int)lineno == s->fail_on) {
		snprintf(why, whylen, "bad '%s'", text);
		return -EINVAL;
	}
	snprintf(s->text + off, sizeof(s->text) - off, "%u<%s>", lineno, text);
	return 0;
}

static int on_end(void *ctx, unsigned *lineno, char *why, size_t whylen)
{
	struct seen *s = ctx;

	(void)lineno;
	(void)why;
	(void)whylen;
	s->ends++;
	return 0;
}

static void on_warn(void *ctx, const char *msg)
{
	struct seen *s = ctx;
	size_t off = strlen(s->warnings);

	snprintf(s->warnings + off, sizeof(s->warnings) - off, "%s|", msg);
}

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ym-datafile-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int load(struct seen *s, char *err, size_t errlen)
{
	const struct ym_datafile_reader r = {
		.suffix = ".t",
		.line = on_line,
		.file_end = on_end,
		.warn = on_warn,
		.ctx = s,
	};

	return ym_datafile_load(dir, &r, err, errlen);
}

static void test_finding_9_empty_dir_warns(void **state)
{
	struct seen s = { 0 };
	const struct ym_datafile_reader r = {
		.suffix = ".t",
		.line = on_line,
		.ctx = &s,
	};
	char err[256] = "";

	(void)state;
	assert_int_equal(load(&s, err, sizeof(err)), 0);
	assert_non_null(strstr(s.warnings, "no *.t files"));
	assert_int_equal(ym_datafile_load("/nonexistent-ym", &r, err,
					  sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent-ym"));
}

static void test_finding_9_fifo_skipped_name_order_comments_trim(void **state)
{
	struct seen s = { 0 };
	char err[256] = "", path[128];

	(void)state;
	write_file("b.t", "  # a comment\n\n\tsecond  \r\n");
	write_file("a.t", "first # kept for the parser\n   \nlast");
	write_file(".hidden.t", "never\n");
	write_file("c.other", "never\n");
	snprintf(path, sizeof(path), "%s/fifo.t", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/link.t", dir);
	assert_int_equal(symlink("a.t", path), 0);
	assert_int_equal(load(&s, err, sizeof(err)), 2);
	assert_string_equal(s.text,
			    "1<first # kept for the parser>3<last>3<second>");
	assert_int_equal(s.ends, 2);
	/* The FIFO was not opened (the load would have blocked) and, with
	 * the link, is counted in one warning. */
	assert_non_null(strstr(s.warnings, "2 *.t entries are not regular"));
}

static void test_errors_name_file_and_line(void **state)
{
	struct seen s = { .fail_on = 3 };
	char err[256] = "", long_line[YM_DATAFILE_LINE_MAX + 10];

	(void)state;
	assert_int_equal(load(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/a.t:3: bad 'last'"));

	memset(long_line, 'x', sizeof(long_line) - 2);
	long_line[sizeof(long_line) - 2] = '\n';
	long_line[sizeof(long_line) - 1] = '\0';
	write_file("0.t", "ok\n");
	write_file("00.t", long_line);
	s = (struct seen){ 0 };
	assert_int_equal(load(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/00.t:1: line too long"));
	assert_string_equal(s.text, "1<ok>");
}

/* Issue 17, finding 9: more than 64 files were skipped without a word. */
static void test_finding_9_more_than_64_files_all_load(void **state)
{
	struct seen s = { 0 };
	char saved[sizeof(dir)], err[256] = "", name[32];
	int i;

	(void)state;
	memcpy(saved, dir, sizeof(dir));
	snprintf(dir, sizeof(dir), "%.40s/many", saved);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%03d.t", i);
		write_file(name, "x\n");
	}
	assert_int_equal(load(&s, err, sizeof(err)), 100);
	assert_int_equal(s.ends, 100);
	assert_string_equal(s.warnings, "");
	memcpy(dir, saved, sizeof(dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finding_9_empty_dir_warns),
		cmocka_unit_test(test_finding_9_fifo_skipped_name_order_comments_trim),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_finding_9_more_than_64_files_all_load),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
