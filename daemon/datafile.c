#include "datafile.h"
#include "bundle.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char *program_invocation_short_name;

static void warn(const struct ym_datafile_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(const struct ym_datafile_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->warn)
		r->warn(r->ctx, msg);
	else
		fprintf(stderr, "%s: %s\n", program_invocation_short_name, msg);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* The names of dir's *suffix entries (hidden ones left out), sorted, so data
 * loads the same whatever the disk's order. Whether each is a regular file is
 * checked when it is opened. */
static int list_names(const char *dir, const struct ym_datafile_reader *r,
		      char ***out, size_t *count)
{
	size_t n = 0, cap = 0, more = 0, sl = strlen(r->suffix);
	char **names = NULL;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= sl ||
		    strcmp(de->d_name + len - sl, r->suffix) != 0)
			continue;
		if (n == YM_DATAFILE_MAX_FILES) {
			more++;
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **v = realloc(names, ncap * sizeof(*v));

			if (!v)
				goto nomem;
			names = v;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (more)
		warn(r, "%s: more than %d *%s files; %zu left out", dir,
		     YM_DATAFILE_MAX_FILES, r->suffix, more);
	if (n)
		qsort(names, n, sizeof(names[0]), cmp_names);
	*out = names;
	*count = n;
	return 0;
nomem:
	closedir(d);
	free_names(names, n);
	return -ENOMEM;
}

/* The seam for signed data bundles: when dir belongs to an installed bundle
 * (its parent holds the manifest), every file must still be the one that
 * was signed; an edit on the disk refuses the whole set. The signature
 * itself was checked when the bundle was installed (bundle.c). */
static int check_bundle(const char *dir, const struct ym_datafile_reader *r,
			char *err, size_t errlen)
{
	return ym_bundle_check_dir(dir, r->suffix, err, errlen);
}

/* Opens path for reading if it is a regular file: 1 and *out, 0 when it is
 * something else (never opening a FIFO or device, never following a link),
 * or -errno. */
static int open_regular(const char *path, FILE **out)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	/* The file may have been swapped since lstat: O_NOFOLLOW and
	 * O_NONBLOCK keep the open harmless, fstat decides. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? 0 : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	*out = fdopen(fd, "r");
	if (!*out) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int read_file(const char *path, FILE *f,
		     const struct ym_datafile_reader *r, char *err,
		     size_t errlen)
{
	char line[YM_DATAFILE_LINE_MAX], why[256];
	unsigned lineno = 0;
	int rc = 0;

	why[0] = '\0';
	if (r->file_begin) {
		rc = r->file_begin(r->ctx, path);
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
			return rc;
		}
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *text;

		lineno++;
		if (!strchr(line, '\n')) {
			int c = getc(f);

			/* A last line without a newline is fine. */
			if (c != EOF) {
				snprintf(why, sizeof(why),
					 "line too long (at most %d bytes)",
					 YM_DATAFILE_LINE_MAX - 2);
				rc = -EINVAL;
				break;
			}
		}
		text = trim(line);
		if (!*text || *text == '#')
			continue;
		why[0] = '\0';
		rc = r->line(r->ctx, text, lineno, why, sizeof(why));
	}
	if (rc == 0 && ferror(f))
		rc = -EIO;
	if (rc == 0 && r->file_end) {
		why[0] = '\0';
		rc = r->file_end(r->ctx, &lineno, why, sizeof(why));
	}
	if (rc < 0)
		snprintf(err, errlen, "%s:%u: %s", path, lineno,
			 why[0] ? why : strerror(-rc));
	return rc;
}

int ym_datafile_load(const char *dir, const struct ym_datafile_reader *r,
		     char *err, size_t errlen)
{
	size_t n = 0, skipped = 0;
	char **names = NULL, *path = NULL;
	int rc, read = 0;

	rc = list_names(dir, r, &names, &n);
	if (rc == -ENOENT) {
		snprintf(err, errlen, "cannot read %s: %s", dir,
			 strerror(ENOENT));
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errlen, "out of memory listing %s", dir);
		return rc;
	}
	rc = check_bundle(dir, r, err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		FILE *f = NULL;

		free(path);
		path = malloc(len);
		if (!path) {
			snprintf(err, errlen, "out of memory reading %s", dir);
			rc = -ENOMEM;
			break;
		}
		snprintf(path, len, "%s/%s", dir, names[i]);
		rc = open_regular(path, &f);
		if (rc < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path,
				 strerror(-rc));
			break;
		}
		if (rc == 0) {
			skipped++;
			continue;
		}
		rc = read_file(path, f, r, err, errlen);
		fclose(f);
		if (rc == 0)
			read++;
	}
	if (rc == 0 && skipped)
		warn(r, "%s: %zu *%s entries are not regular files; skipped",
		     dir, skipped, r->suffix);
	if (rc == 0 && read == 0)
		warn(r, "%s: no *%s files", dir, r->suffix);
	free(path);
	free_names(names, n);
	return rc < 0 ? rc : read;
}
