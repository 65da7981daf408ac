/* One loader for Yamori's data files: the fingerprint rules, the support
 * knowledge base, the threat lists and the default-password lists. It walks
 * one directory (a data bundle) in name order, reads its lines and hands each
 * meaningful one to the module's own parser, so every list shares the same
 * rules: regular files only, '#' comment lines and blank lines skipped, lines
 * trimmed and bounded, errors as "FILE:LINE: reason".
 *
 * This is also the one place where signed data bundles will be checked: a
 * bundle is a directory, and ym_datafile_load() is the only function that
 * opens one. */
#ifndef YM_DATAFILE_H
#define YM_DATAFILE_H

#include "ym-limits.h"

#include <stddef.h>

/* What a module gives the loader. Only suffix and line are required. */
struct ym_datafile_reader {
	/* Files whose names end in this, e.g. ".rules"; hidden files are
	 * always left out. */
	const char *suffix;
	/* Called with each line: trimmed of surrounding white space, never
	 * empty, never a '#' comment line; the parser may modify it. Returns
	 * 0, or -errno with the reason (without file and line) in why. */
	int (*line)(void *ctx, char *text, unsigned lineno, char *why,
		    size_t whylen);
	/* Optional: called before the first line of each file. */
	int (*file_begin)(void *ctx, const char *path);
	/* Optional: called after the last line of each file that read
	 * without error; *lineno holds the last line's number and may be set
	 * to the line an error belongs to (e.g. where a section began). */
	int (*file_end)(void *ctx, unsigned *lineno, char *why, size_t whylen);
	/* Optional: receives each warning (one line, no newline); without it
	 * warnings go to stderr, prefixed with the program's name. */
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

/* Reads every regular file in dir named *suffix, in name order (strcmp),
 * stopping at the first error. FIFOs, devices, sockets, symbolic links and
 * directories are skipped and counted in one warning; an empty directory is a
 * warning. Returns the number of files read, -ENOENT when dir cannot be
 * opened, -ENOMEM, -EINVAL for a line too long, or the parser's error; on
 * error err holds one line ("FILE:LINE: reason" when a line is at fault). */
int ym_datafile_load(const char *dir, const struct ym_datafile_reader *r,
		     char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
