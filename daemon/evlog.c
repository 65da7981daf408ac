#include "evlog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

const char ym_evlog_genesis[YM_EVLOG_HASH_STRLEN] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* Ed25519 from libsodium: the same keys and signatures as any other
 * Ed25519 (the seed on disk is RFC 8032's private key). */
struct ym_evlog_key {
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int unhex(const char *s, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdef", s[2 * i]) ||
		    !strchr("0123456789abcdef", s[2 * i + 1]))
			return -EINVAL;
		b[i] = (unsigned char)v;
	}
	return 0;
}

static void feed(crypto_hash_sha256_state *ctx, const char *s)
{
	uint64_t len = strlen(s);
	unsigned char l[8];

	for (int i = 0; i < 8; i++)
		l[i] = (unsigned char)(len >> (56 - 8 * i));
	crypto_hash_sha256_update(ctx, l, sizeof(l));
	crypto_hash_sha256_update(ctx, (const unsigned char *)s, len);
}

void ym_evlog_hash(const char *prev, int64_t seq, int64_t at_us,
		   const char *kind, const char *mac, const char *detail,
		   char out[YM_EVLOG_HASH_STRLEN])
{
	unsigned char md[crypto_hash_sha256_BYTES];
	char num[48];
	crypto_hash_sha256_state ctx;

	crypto_hash_sha256_init(&ctx);
	feed(&ctx, "yamori-evlog-1");
	feed(&ctx, prev);
	snprintf(num, sizeof(num), "%" PRId64 " %" PRId64, seq, at_us);
	feed(&ctx, num);
	feed(&ctx, kind);
	feed(&ctx, mac);
	feed(&ctx, detail);
	crypto_hash_sha256_final(&ctx, md);
	hex(md, 32, out);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[4200];
	size_t len = strlen(text);
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) < 0)
		rc = errno ? -errno : -EIO;
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

int ym_evlog_key_open(struct ym_evlog_key **out, const char *state_dir,
		      char *err, size_t errlen)
{
	char path[4200], line[128], pubhex[66];
	unsigned char seed[crypto_sign_SEEDBYTES], pub[crypto_sign_PUBLICKEYBYTES];
	struct ym_evlog_key *k;
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "cannot start libsodium");
		return -EIO;
	}
	snprintf(path, sizeof(path), "%s/%s", state_dir, YM_EVLOG_KEY_FILE);
	rc = read_line(path, line, sizeof(line));
	if (rc == -ENOENT) {
		/* First start: the box's own key, readable by the daemon
		 * alone. */
		randombytes_buf(seed, sizeof(seed));
		hex(seed, sizeof(seed), line);
		line[64] = '\n';
		line[65] = '\0';
		rc = write_file(path, line, 0600);
		if (rc < 0) {
			snprintf(err, errlen, "cannot write %s: %s", path,
				 strerror(-rc));
			sodium_memzero(seed, sizeof(seed));
			sodium_memzero(line, sizeof(line));
			return rc;
		}
	} else if (rc < 0 || strlen(line) != 64 ||
		   unhex(line, seed, sizeof(seed)) < 0) {
		snprintf(err, errlen, "cannot read the log key %s", path);
		sodium_memzero(line, sizeof(line));
		return rc < 0 ? rc : -EINVAL;
	}
	sodium_memzero(line, sizeof(line));
	k = calloc(1, sizeof(*k));
	if (!k) {
		sodium_memzero(seed, sizeof(seed));
		return -ENOMEM;
	}
	rc = crypto_sign_seed_keypair(pub, k->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	if (rc != 0) {
		snprintf(err, errlen, "cannot use the log key");
		ym_evlog_key_close(k);
		return -EIO;
	}
	/* The public half, for yamorictl log verify (any user). */
	hex(pub, sizeof(pub), pubhex);
	pubhex[64] = '\n';
	pubhex[65] = '\0';
	snprintf(path, sizeof(path), "%s/%s", state_dir, YM_EVLOG_PUB_FILE);
	if (read_line(path, line, sizeof(line)) < 0 ||
	    strncmp(line, pubhex, 64) != 0) {
		rc = write_file(path, pubhex, 0644);
		if (rc < 0) {
			snprintf(err, errlen, "cannot write %s: %s", path,
				 strerror(-rc));
			ym_evlog_key_close(k);
			return rc;
		}
	}
	*out = k;
	return 0;
}

void ym_evlog_key_close(struct ym_evlog_key *k)
{
	if (!k)
		return;
	sodium_memzero(k->sk, sizeof(k->sk));
	free(k);
}

static void head_message(int64_t seq, const char *hash, char *msg,
			 size_t len)
{
	snprintf(msg, len, "yamori-evlog-head %" PRId64 " %s", seq, hash);
}

int ym_evlog_sign_head(struct ym_evlog_key *k, int64_t seq, const char *hash,
		       char *detail, size_t len)
{
	unsigned char sig[crypto_sign_BYTES];
	char msg[128], sighex[YM_EVLOG_SIG_STRLEN];

	if (!k || strlen(hash) != 64 || len < 256)
		return -EINVAL;
	head_message(seq, hash, msg, sizeof(msg));
	if (crypto_sign_detached(sig, NULL, (const unsigned char *)msg,
				 strlen(msg), k->sk) != 0)
		return -EIO;
	hex(sig, 64, sighex);
	snprintf(detail, len, "{\"seq\":%" PRId64 ",\"hash\":\"%s\","
		 "\"sig\":\"%s\"}", seq, hash, sighex);
	return 0;
}

int ym_evlog_write_head(const char *state_dir, const char *detail)
{
	char path[4200], text[300];

	snprintf(path, sizeof(path), "%s/%s", state_dir, YM_EVLOG_HEAD_FILE);
	snprintf(text, sizeof(text), "%s\n", detail);
	return write_file(path, text, 0644);
}

int ym_evlog_erase(const char *state_dir)
{
	static const char *const files[] = { YM_EVLOG_KEY_FILE,
					     YM_EVLOG_PUB_FILE,
					     YM_EVLOG_HEAD_FILE };
	char path[4200];
	int n = 0;

	for (size_t i = 0; i < YM_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", state_dir, files[i]);
		if (unlink(path) == 0)
			n++;
		else if (errno != ENOENT)
			return -errno;
	}
	return n;
}

/* Parses a head entry's detail. */
static int parse_head(const char *detail, int64_t *seq, char *hash,
		      unsigned char sig[64])
{
	char h[65], s[129];

	if (sscanf(detail, "{\"seq\":%" SCNd64 ",\"hash\":\"%64[0-9a-f]\","
		   "\"sig\":\"%128[0-9a-f]\"}", seq, h, s) != 3 ||
	    strlen(h) != 64 || strlen(s) != 128)
		return -EINVAL;
	memcpy(hash, h, 65);
	return unhex(s, sig, 64);
}

static bool head_verifies(const struct ym_evlog_check *c, int64_t seq,
			  const char *hash, const unsigned char sig[64])
{
	char msg[128];

	head_message(seq, hash, msg, sizeof(msg));
	return sodium_init() >= 0 &&
	       crypto_sign_verify_detached(sig, (const unsigned char *)msg,
					   strlen(msg), c->pub) == 0;
}

void ym_evlog_check_init(struct ym_evlog_check *c, const char *state_dir)
{
	char path[4200], line[400];
	unsigned char sig[64];

	memset(c, 0, sizeof(*c));
	memcpy(c->prev, ym_evlog_genesis, sizeof(c->prev));
	snprintf(path, sizeof(path), "%s/%s", state_dir, YM_EVLOG_PUB_FILE);
	c->have_pub = read_line(path, line, sizeof(line)) == 0 &&
		      strlen(line) == 64 && unhex(line, c->pub, 32) == 0;
	snprintf(path, sizeof(path), "%s/%s", state_dir, YM_EVLOG_HEAD_FILE);
	if (read_line(path, line, sizeof(line)) == 0) {
		c->have_head_file = true;
		c->head_file_ok = parse_head(line, &c->head_seq, c->head_hash,
					     sig) == 0 &&
				  c->have_pub &&
				  head_verifies(c, c->head_seq, c->head_hash,
						sig);
	}
}

static enum ym_evlog_break broke(struct ym_evlog_check *c,
				 enum ym_evlog_break b, int64_t seq)
{
	if (c->broken == YM_EVLOG_OK) {
		c->broken = b;
		c->broken_seq = seq;
	}
	return b;
}

enum ym_evlog_break ym_evlog_check_entry(struct ym_evlog_check *c,
					 const struct ym_evlog_entry *e)
{
	char h[YM_EVLOG_HASH_STRLEN], hh[YM_EVLOG_HASH_STRLEN];
	unsigned char sig[64];
	int64_t hseq;

	c->entries++;
	/* A trimmed log starts at a signed head after entry 1; whether the
	 * start is the store's own trim is checked at the end. */
	if (c->entries == 1 && e->seq > 1 &&
	    strcmp(e->kind, YM_EVLOG_HEAD) == 0) {
		c->last_seq = e->seq - 1;
		snprintf(c->prev, sizeof(c->prev), "%s", e->prev);
	}
	if (c->entries == 1)
		c->first_seq = e->seq;
	if (e->seq > c->last_seq + 1 && strcmp(e->prev, c->prev) != 0)
		return broke(c, YM_EVLOG_MISSING, c->last_seq + 1);
	if (e->seq != c->last_seq + 1 || strcmp(e->prev, c->prev) != 0)
		return broke(c, YM_EVLOG_LINK, e->seq);
	ym_evlog_hash(e->prev, e->seq, e->at_us, e->kind, e->mac, e->detail,
		      h);
	if (strcmp(h, e->hash) != 0)
		return broke(c, YM_EVLOG_EDITED, e->seq);
	if (strcmp(e->kind, YM_EVLOG_HEAD) == 0) {
		c->heads++;
		if (parse_head(e->detail, &hseq, hh, sig) < 0 ||
		    hseq != c->last_seq || strcmp(hh, c->prev) != 0)
			return broke(c, YM_EVLOG_BAD_SIGNATURE, e->seq);
		if (!c->have_pub)
			return broke(c, YM_EVLOG_NO_KEY, e->seq);
		if (!head_verifies(c, hseq, hh, sig))
			return broke(c, YM_EVLOG_BAD_SIGNATURE, e->seq);
	}
	if (strcmp(e->kind, YM_EVLOG_TRIMMED) == 0 &&
	    (sscanf(e->detail, "{\"before\":%" SCNd64, &hseq) != 1 ||
	     hseq < 1 || hseq > e->seq))
		return broke(c, YM_EVLOG_EDITED, e->seq);
	if (strcmp(e->kind, YM_EVLOG_TRIMMED) == 0)
		c->trimmed_before = hseq;
	/* The head file names an entry: it must be this one, unchanged. */
	if (c->have_head_file && c->head_file_ok && e->seq == c->head_seq &&
	    strcmp(e->hash, c->head_hash) != 0)
		return broke(c, YM_EVLOG_BAD_SIGNATURE, e->seq);
	memcpy(c->prev, e->hash, sizeof(c->prev));
	c->last_seq = e->seq;
	return YM_EVLOG_OK;
}

enum ym_evlog_break ym_evlog_check_end(struct ym_evlog_check *c)
{
	if (c->broken != YM_EVLOG_OK)
		return c->broken;
	/* Entries before the start are gone: only the store's trim, which
	 * says where the log starts now, may have removed them. */
	if (c->first_seq > 1 && c->trimmed_before != c->first_seq)
		return broke(c, YM_EVLOG_MISSING, c->first_seq - 1);
	if (c->have_head_file && !c->head_file_ok)
		return broke(c, c->have_pub ? YM_EVLOG_BAD_SIGNATURE :
					      YM_EVLOG_NO_KEY,
			     c->head_seq);
	if (c->have_head_file && c->last_seq < c->head_seq)
		return broke(c, YM_EVLOG_TRUNCATED, c->last_seq + 1);
	return YM_EVLOG_OK;
}
