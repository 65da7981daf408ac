#define _GNU_SOURCE
#include "bundle.h"
#include "bundle-private.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

static const char *const data_dirs[] = { "fingerprints", "support", "intel",
					  "credentials", NULL };

/* --- paths ------------------------------------------------------------- */

static bool part_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

bool ym_bundle_path_ok(const char *path)
{
	const char *p = path, *slash;
	size_t parts = 0;
	bool known = false;

	if (strlen(path) >= YM_BUNDLE_PATH_MAX)
		return false;
	for (;;) {
		size_t n;

		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (!part_ok(p, n) || ++parts > 3)
			return false;
		if (parts == 1)
			for (int i = 0; data_dirs[i]; i++)
				if (strlen(data_dirs[i]) == n &&
				    memcmp(data_dirs[i], p, n) == 0)
					known = true;
		if (!slash)
			break;
		p = slash + 1;
	}
	return known && parts >= 2;
}

/* --- the manifest ------------------------------------------------------ */

/* "2026-12-01T00:00:00Z" as seconds since 1970; -EINVAL otherwise. */
static int parse_time(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, se, end = -1;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se,
		   &end) != 6 || end != (int)strlen(s) || end != 20)
		return -EINVAL;
	if (y < 2000 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (int64_t)t;
	return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) ||
		    v > (max - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int parse_hex32(const char *s, uint8_t out[32])
{
	size_t bin_len = 0;

	if (strlen(s) != 64)
		return -EINVAL;
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return -EINVAL;
	if (sodium_hex2bin(out, 32, s, 64, NULL, &bin_len, NULL) != 0 ||
	    bin_len != 32)
		return -EINVAL;
	return 0;
}

static int manifest_line(struct ym_bundle_manifest *m, char *line,
			 unsigned *seen, size_t *cap, char *why, size_t whylen)
{
	char *word[5];
	int n = 0;

	for (char *p = line; *p && n < 5;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		word[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	if (n == 5 || n < 2)
		goto bad;
	if (!(*seen & 1)) {
		uint64_t f;

		if (n != 2 || strcmp(word[0], "yamori-bundle") != 0 ||
		    parse_u64(word[1], UINT32_MAX, &f) < 0) {
			snprintf(why, whylen, "not a Yamori bundle manifest");
			return -EINVAL;
		}
		if (f != YM_BUNDLE_FORMAT) {
			snprintf(why, whylen,
				 "manifest format %llu is not known (this "
				 "build reads %d)", (unsigned long long)f,
				 YM_BUNDLE_FORMAT);
			return -EINVAL;
		}
		m->format = (uint32_t)f;
		*seen |= 1;
		return 0;
	}
	if (n == 2 && strcmp(word[0], "version") == 0 && !(*seen & 2)) {
		*seen |= 2;
		if (parse_u64(word[1], INT64_MAX, &m->version) < 0 ||
		    m->version == 0)
			goto bad;
		return 0;
	}
	if (n == 2 && strcmp(word[0], "created") == 0 && !(*seen & 4)) {
		*seen |= 4;
		if (parse_time(word[1], &m->created) < 0)
			goto bad;
		return 0;
	}
	if (n == 2 && strcmp(word[0], "expires") == 0 && !(*seen & 8)) {
		*seen |= 8;
		if (parse_time(word[1], &m->expires) < 0)
			goto bad;
		return 0;
	}
	if (n == 4 && strcmp(word[0], "file") == 0) {
		struct ym_bundle_file *f;

		if (m->n_files == YM_BUNDLE_MAX_FILES) {
			snprintf(why, whylen, "more than %d files",
				 YM_BUNDLE_MAX_FILES);
			return -EINVAL;
		}
		if (!ym_bundle_path_ok(word[3])) {
			snprintf(why, whylen, "file name not allowed: %.*s",
				 YM_BUNDLE_PATH_MAX, word[3]);
			return -EINVAL;
		}
		for (size_t i = 0; i < m->n_files; i++)
			if (strcmp(m->files[i].path, word[3]) == 0) {
				snprintf(why, whylen, "file listed twice: %s",
					 word[3]);
				return -EINVAL;
			}
		if (m->n_files == *cap) {
			size_t ncap = *cap ? *cap * 2 : 32;
			void *v = realloc(m->files, ncap * sizeof(*m->files));

			if (!v)
				return -ENOMEM;
			m->files = v;
			*cap = ncap;
		}
		f = &m->files[m->n_files];
		if (parse_hex32(word[1], f->sha256) < 0 ||
		    parse_u64(word[2], YM_BUNDLE_MAX_BYTES, &f->size) < 0)
			goto bad;
		snprintf(f->path, sizeof(f->path), "%s", word[3]);
		m->n_files++;
		return 0;
	}
bad:
	snprintf(why, whylen, "unexpected line: %.60s", line);
	return -EINVAL;
}

int ym_bundle_manifest_parse(const char *text, size_t len,
			     struct ym_bundle_manifest *m, char *err,
			     size_t errlen)
{
	char line[1024], why[200] = "";
	unsigned seen = 0, lineno = 0;
	size_t cap = 0, off = 0;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (len > YM_BUNDLE_MANIFEST_MAX || memchr(text, '\0', len)) {
		snprintf(err, errlen, "manifest: too large or not text");
		return -EINVAL;
	}
	while (rc == 0 && off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		char *s;

		lineno++;
		if (n >= sizeof(line)) {
			snprintf(why, sizeof(why), "line too long");
			rc = -EINVAL;
			break;
		}
		memcpy(line, text + off, n);
		line[n] = '\0';
		off += n + 1;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		rc = manifest_line(m, s, &seen, &cap, why, sizeof(why));
	}
	if (rc == 0 && seen != 15) {
		lineno = 0;
		snprintf(why, sizeof(why), "%s",
			 !(seen & 1) ? "not a Yamori bundle manifest" :
			 "version, created or expires is missing");
		rc = -EINVAL;
	}
	if (rc == 0 && m->expires <= m->created) {
		snprintf(why, sizeof(why), "expires before it was created");
		rc = -EINVAL;
	}
	if (rc < 0) {
		if (lineno)
			snprintf(err, errlen, "manifest:%u: %s", lineno,
				 why[0] ? why : strerror(-rc));
		else
			snprintf(err, errlen, "manifest: %s", why);
		ym_bundle_manifest_free(m);
	}
	return rc;
}

void ym_bundle_manifest_free(struct ym_bundle_manifest *m)
{
	free(m->files);
	m->files = NULL;
	m->n_files = 0;
}

/* --- staging and switching --------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void rm_tree(const char *path)
{
	(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* yamorictl run as root installs for the daemon's user: what it creates
 * belongs to the state directory's owner, so the daemon can install the
 * next update itself. */
static uid_t owner_uid = (uid_t)-1;
static gid_t owner_gid = (gid_t)-1;

static void give(const char *path)
{
	/* A file left to root still loads; the daemon then cannot replace
	 * it by itself, and the next update from yamorictl as root will. */
	if (owner_uid != (uid_t)-1 && lchown(path, owner_uid, owner_gid) < 0)
		fprintf(stderr, "yamorictl: cannot give %s to the daemon's "
			"user: %s\n", path, strerror(errno));
}

static int write_file(const char *root, const char *rel, const uint8_t *data,
		      size_t len)
{
	char path[1400];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	/* The parts were checked: create the directories on the way. */
	for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			rc = -errno;
		else
			give(path);
		*s = '/';
		if (rc < 0)
			return rc;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return -errno;
	give(path);
	while (rc == 0 && len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

static const struct entry *find(const struct entry *v, size_t n,
				const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Every entry is listed in the manifest, every listed file is there once,
 * whole, with its hash. */
static int check_entries(const struct entry *v, size_t n,
			 const struct entry *man, const struct entry *sig,
			 const struct ym_bundle_manifest *m, char *err,
			 size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &v[i];
		bool listed = false;

		if (e == man || e == sig)
			continue;
		if (find(v, i, e->name)) {
			snprintf(err, errlen, "%.*s is in the bundle twice",
				 YM_BUNDLE_PATH_MAX, e->name);
			return -EINVAL;
		}
		for (size_t j = 0; j < m->n_files; j++)
			if (strcmp(m->files[j].path, e->name) == 0)
				listed = true;
		if (!listed) {
			snprintf(err, errlen, "%.*s is not in the manifest",
				 YM_BUNDLE_PATH_MAX, e->name);
			return -EINVAL;
		}
	}
	for (size_t j = 0; j < m->n_files; j++) {
		const struct ym_bundle_file *f = &m->files[j];
		const struct entry *e = find(v, n, f->path);
		uint8_t h[32];

		if (!e || e->size != f->size) {
			snprintf(err, errlen, "%s is %s", f->path,
				 e ? "not the size the manifest says" :
				     "missing");
			return -EINVAL;
		}
		crypto_hash_sha256(h, e->data, e->size);
		if (sodium_memcmp(h, f->sha256, 32) != 0) {
			snprintf(err, errlen, "%s does not match its SHA-256",
				 f->path);
			return -EINVAL;
		}
	}
	return 0;
}

/* The signature, then the manifest, its version and expiry, then every
 * entry: nothing unsigned is even parsed further. */
static int check_bundle(const struct entry *v, size_t n,
			const struct ym_bundle_keys *keys, uint64_t installed,
			int64_t now, struct ym_bundle_manifest *m, char *err,
			size_t errlen)
{
	const struct entry *man = find(v, n, "manifest"),
			   *sig = find(v, n, "manifest.minisig");
	int rc;

	if (!man || !sig) {
		snprintf(err, errlen, "the bundle has no manifest or no "
			 "signature");
		return -EINVAL;
	}
	rc = ym_bundle_verify((const char *)man->data, man->size,
			      (const char *)sig->data, sig->size, keys, err,
			      errlen);
	if (rc < 0)
		return rc;
	rc = ym_bundle_manifest_parse((const char *)man->data, man->size, m,
				      err, errlen);
	if (rc < 0)
		return rc;
	if (m->version <= installed) {
		snprintf(err, errlen, "version %llu is not newer than the "
			 "installed %llu", (unsigned long long)m->version,
			 (unsigned long long)installed);
		return -EINVAL;
	}
	if (m->expires <= now) {
		snprintf(err, errlen, "the bundle expired");
		return -EINVAL;
	}
	return check_entries(v, n, man, sig, m, err, errlen);
}

/* STATE_DIR/data and a fresh .stage-XXXXXX in it, owned like the state
 * directory (only root can, and only root needs to, give files away). */
static int make_stage(const char *state_dir, struct ym_bundle_staged *out,
		      char *err, size_t errlen)
{
	struct stat sst;

	snprintf(out->root, sizeof(out->root), "%s/data", state_dir);
	if (geteuid() == 0 && stat(state_dir, &sst) == 0 && sst.st_uid != 0) {
		owner_uid = sst.st_uid;
		owner_gid = sst.st_gid;
	}
	if (mkdir(out->root, 0755) == 0) {
		give(out->root);
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", out->root,
			 strerror(errno));
		return -errno;
	}
	snprintf(out->dir, sizeof(out->dir), "%s/.stage-XXXXXX", out->root);
	if (!mkdtemp(out->dir)) {
		snprintf(err, errlen, "cannot create a directory in %s: %s",
			 out->root, strerror(errno));
		return -errno;
	}
	(void)chmod(out->dir, 0755);
	give(out->dir);
	return 0;
}

/* The manifest, its signature and every listed file into the stage. */
static int unpack(const struct entry *v, size_t n,
		  const struct ym_bundle_staged *out, char *err, size_t errlen)
{
	const struct entry *man = find(v, n, "manifest"),
			   *sig = find(v, n, "manifest.minisig");
	int rc = write_file(out->dir, "manifest", man->data, man->size);

	if (rc == 0)
		rc = write_file(out->dir, "manifest.minisig", sig->data,
				sig->size);
	for (size_t j = 0; rc == 0 && j < out->m.n_files; j++) {
		const struct entry *e = find(v, n, out->m.files[j].path);

		rc = write_file(out->dir, e->name, e->data, e->size);
	}
	if (rc < 0)
		snprintf(err, errlen, "cannot unpack into %s: %s", out->dir,
			 strerror(-rc));
	return rc;
}

int ym_bundle_stage(const uint8_t *buf, size_t len,
		    const struct ym_bundle_keys *keys, const char *state_dir,
		    uint64_t installed, int64_t now,
		    struct ym_bundle_staged *out, char *err, size_t errlen)
{
	size_t max = YM_BUNDLE_MAX_FILES + 2, n = 0;
	struct entry *v = NULL;
	bool made = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sodium_init() < 0)
		abort();
	if (len > YM_BUNDLE_MAX_BYTES) {
		snprintf(err, errlen, "the bundle is larger than %u MB",
			 YM_BUNDLE_MAX_BYTES >> 20);
		return -EFBIG;
	}
	v = calloc(max, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = ym_bundle_read_tar(buf, len, v, max, &n, err, errlen);
	if (rc == 0)
		rc = check_bundle(v, n, keys, installed, now, &out->m, err,
				  errlen);
	if (rc == 0) {
		rc = make_stage(state_dir, out, err, errlen);
		made = rc == 0;
	}
	if (rc == 0)
		rc = unpack(v, n, out, err, errlen);
	free(v);
	if (rc < 0) {
		if (made)
			rm_tree(out->dir);
		ym_bundle_manifest_free(&out->m);
	}
	return rc;
}

int ym_bundle_stage_file(const char *path, const struct ym_bundle_keys *keys,
			 const char *state_dir, uint64_t installed,
			 int64_t now, struct ym_bundle_staged *out, char *err,
			 size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = fd < 0 ? -errno : -EINVAL;
		snprintf(err, errlen, "cannot read %s: %s", path,
			 fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if ((uint64_t)st.st_size > YM_BUNDLE_MAX_BYTES) {
		close(fd);
		snprintf(err, errlen, "the bundle is larger than %u MB",
			 YM_BUNDLE_MAX_BYTES >> 20);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	rc = ym_bundle_stage(buf, got, keys, state_dir, installed, now, out,
			     err, errlen);
	free(buf);
	return rc;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int ym_bundle_commit(struct ym_bundle_staged *s, char *err, size_t errlen)
{
	char target[1100], link_new[1100], link_cur[1100], name[32],
		prev[64] = "";
	struct dirent *de;
	ssize_t pl;
	DIR *d;
	int rc = 0, fd;

	snprintf(name, sizeof(name), "%llu", (unsigned long long)s->m.version);
	snprintf(target, sizeof(target), "%s/%s", s->root, name);
	snprintf(link_new, sizeof(link_new), "%s/current.new", s->root);
	snprintf(link_cur, sizeof(link_cur), "%s/current", s->root);
	pl = readlink(link_cur, prev, sizeof(prev) - 1);
	prev[pl > 0 ? pl : 0] = '\0';
	/* A directory of this version can only be left from an attempt that
	 * never switched: the link never pointed at it. */
	if (strcmp(prev, name) != 0)
		rm_tree(target);
	if (rename(s->dir, target) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot install %s: %s", target,
			 strerror(errno));
		rm_tree(s->dir);
		goto out;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", target);
	(void)unlink(link_new);
	rc = symlink(name, link_new) < 0 ? -errno : 0;
	if (rc == 0) {
		give(link_new);
		if (rename(link_new, link_cur) < 0)
			rc = -errno;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot switch %s: %s", link_cur,
			 strerror(-rc));
		(void)unlink(link_new);
		goto out;
	}
	fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	/* Keep the new set and the one before it; older ones and stale
	 * staging directories go. */
	d = opendir(s->root);
	while (d && (de = readdir(d))) {
		char path[1400];

		if (strcmp(de->d_name, name) == 0 ||
		    strcmp(de->d_name, prev) == 0 ||
		    !(all_digits(de->d_name) ||
		      strncmp(de->d_name, ".stage-", 7) == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->root, de->d_name);
		rm_tree(path);
	}
	if (d)
		closedir(d);
out:
	ym_bundle_manifest_free(&s->m);
	return rc;
}

void ym_bundle_discard(struct ym_bundle_staged *s)
{
	if (s->dir[0])
		rm_tree(s->dir);
	s->dir[0] = '\0';
	ym_bundle_manifest_free(&s->m);
}

/* --- what is installed ------------------------------------------------- */

/* Reads dir/manifest (unchecked: it was checked when installed). */
static int read_manifest(const char *dir, struct ym_bundle_manifest *m,
			 char *err, size_t errlen)
{
	char path[1200], *text;
	struct stat st;
	ssize_t n;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/manifest", dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > YM_BUNDLE_MANIFEST_MAX) {
		close(fd);
		snprintf(err, errlen, "%s: not a manifest", path);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, text, (size_t)st.st_size);
	close(fd);
	rc = n == st.st_size ? ym_bundle_manifest_parse(text, (size_t)n, m,
							err, errlen) :
			       -EIO;
	free(text);
	return rc;
}

void ym_bundle_installed(const char *state_dir, const char *data_dir,
			 struct ym_bundle_info *info)
{
	struct ym_bundle_manifest m;
	char cur[1100], target[64], err[256];
	ssize_t n;

	memset(info, 0, sizeof(*info));
	snprintf(cur, sizeof(cur), "%s/data/current", state_dir);
	n = readlink(cur, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		/* The link names a version directory beside it, nothing
		 * else. */
		if (all_digits(target)) {
			snprintf(info->dir, sizeof(info->dir), "%s/data/%s",
				 state_dir, target);
			if (read_manifest(info->dir, &m, err, sizeof(err)) == 0) {
				info->version = m.version;
				info->created = m.created;
				info->expires = m.expires;
				ym_bundle_manifest_free(&m);
				return;
			}
		}
	}
	snprintf(info->dir, sizeof(info->dir), "%s", data_dir);
	if (read_manifest(data_dir, &m, err, sizeof(err)) == 0) {
		info->version = m.version;
		info->created = m.created;
		info->expires = m.expires;
		ym_bundle_manifest_free(&m);
	}
}

static int hash_file(const char *path, uint8_t out[32])
{
	crypto_hash_sha256_state st;
	uint8_t buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(&st, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return -EIO;
	crypto_hash_sha256_final(&st, out);
	return 0;
}

int ym_bundle_check_dir(const char *dir, const char *suffix, char *err,
			size_t errlen)
{
	struct ym_bundle_manifest m;
	char parent[1100], prefix[YM_BUNDLE_PATH_MAX + 2];
	const char *base;
	size_t sl = strlen(suffix), pl;
	struct dirent *de;
	DIR *d;
	int rc;

	snprintf(parent, sizeof(parent), "%s", dir);
	while (strlen(parent) > 1 && parent[strlen(parent) - 1] == '/')
		parent[strlen(parent) - 1] = '\0';
	base = strrchr(parent, '/');
	if (!base)
		return 0;
	snprintf(prefix, sizeof(prefix), "%s/", base + 1);
	pl = strlen(prefix);
	parent[base - parent] = '\0';
	if (sodium_init() < 0)
		abort();
	rc = read_manifest(parent[0] ? parent : "/", &m, err, errlen);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return -EPERM;
	d = opendir(dir);
	while (rc == 0 && d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char rel[YM_BUNDLE_PATH_MAX + 300], path[1400];
		const struct ym_bundle_file *f = NULL;
		uint8_t h[32];

		if (de->d_name[0] == '.' || len <= sl ||
		    strcmp(de->d_name + len - sl, suffix) != 0)
			continue;
		snprintf(rel, sizeof(rel), "%s%s", prefix, de->d_name);
		for (size_t i = 0; i < m.n_files; i++)
			if (strcmp(m.files[i].path, rel) == 0)
				f = &m.files[i];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!f || hash_file(path, h) < 0 ||
		    sodium_memcmp(h, f->sha256, 32) != 0) {
			snprintf(err, errlen, "%s: %s", path,
				 f ? "changed since it was installed (its "
				     "SHA-256 differs from the manifest)" :
				     "not in the bundle's manifest");
			rc = -EPERM;
		}
	}
	if (d)
		closedir(d);
	for (size_t i = 0; rc == 0 && i < m.n_files; i++) {
		const char *p = m.files[i].path, *rest = p + pl;
		char path[1400];
		struct stat st;
		size_t len = strlen(p);

		if (strncmp(p, prefix, pl) != 0 || strchr(rest, '/') ||
		    len <= sl || strcmp(p + len - sl, suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, rest);
		if (lstat(path, &st) < 0) {
			snprintf(err, errlen, "%s: missing from the installed "
				 "bundle", path);
			rc = -EPERM;
		}
	}
	ym_bundle_manifest_free(&m);
	return rc;
}
