/* Who may sign a bundle and the check of a signature: minisign's format
 * (legacy "Ed" and prehashed "ED" signatures, the trusted comment's global
 * signature), verified with libsodium. */
#include "bundle-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/* The project's key, compiled in so a box trusts it out of the box. It is a
 * placeholder whose secret key was thrown away: the project or the ISP that
 * ships Yamori replaces it with its own (docs/DATA.md), or puts its key in
 * keys_dir (/etc/yamori/keys/). */
static const char project_key[] =
	"RWTBi6y9+gaDPmfkYjqFbKuocHi6rBILk/FvhYWPzgPF0rDNr+OdE+Rs";

/* --- keys and signatures ----------------------------------------------- */

/* Decodes standard base64 (minisign's) into at most max bytes. */
static int b64_decode(const char *b64, size_t n, uint8_t *out, size_t max,
		      size_t *outlen)
{
	if (sodium_base642bin(out, max, b64, n, NULL, outlen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -EINVAL;
	return 0;
}

int ym_bundle_key_parse(const char *text, uint8_t id[8], uint8_t pk[32])
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		uint8_t bin[42];
		size_t binlen = 0;

		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n && strncmp(p, "untrusted comment:", 18) != 0) {
			if (b64_decode(p, n, bin, sizeof(bin), &binlen) < 0 ||
			    binlen != 42 || bin[0] != 'E' || bin[1] != 'd')
				return -EINVAL;
			memcpy(id, bin + 2, 8);
			memcpy(pk, bin + 10, 32);
			return 0;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return -EINVAL;
}

static void add_key(struct ym_bundle_keys *keys, const char *text,
		    const char *from)
{
	if (keys->n == YM_BUNDLE_MAX_KEYS) {
		fprintf(stderr, "yamori: more than %d keys; %s left out\n",
			YM_BUNDLE_MAX_KEYS, from);
		return;
	}
	if (ym_bundle_key_parse(text, keys->k[keys->n].id,
				keys->k[keys->n].pk) < 0) {
		fprintf(stderr, "yamori: %s is not a minisign public key\n",
			from);
		return;
	}
	keys->n++;
}

void ym_bundle_keys_load(struct ym_bundle_keys *keys, const char *dir)
{
	struct dirent *de;
	DIR *d;

	if (sodium_init() < 0)
		abort();
	memset(keys, 0, sizeof(*keys));
	add_key(keys, project_key, "the compiled-in key");
	if (!dir || !dir[0] || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[1400], text[1024];
		struct stat st;
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".pub") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			continue;
		}
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n < 0)
			continue;
		text[n] = '\0';
		add_key(keys, text, path);
	}
	closedir(d);
}

int ym_bundle_verify(const char *msg, size_t len, const char *sig,
		     size_t siglen, const struct ym_bundle_keys *keys,
		     char *err, size_t errlen)
{
	const char *line[4];
	size_t linelen[4], off = 0, n_lines = 0, binlen = 0, glen = 0;
	uint8_t bin[74], gsig[64], hash[crypto_generichash_BYTES_MAX];
	const uint8_t *pk = NULL;
	uint8_t *signed_comment;
	const char *comment;
	size_t clen;
	int ok;

	if (sodium_init() < 0)
		abort();
	if (siglen > YM_BUNDLE_SIG_MAX || memchr(sig, '\0', siglen))
		goto malformed;
	while (off < siglen && n_lines < 4) {
		const char *nl = memchr(sig + off, '\n', siglen - off);
		size_t n = nl ? (size_t)(nl - (sig + off)) : siglen - off;

		line[n_lines] = sig + off;
		while (n && line[n_lines][n - 1] == '\r')
			n--;
		linelen[n_lines++] = n;
		off += (nl ? (size_t)(nl - (sig + off)) : siglen - off) + 1;
	}
	if (n_lines != 4 || linelen[0] < 18 ||
	    strncmp(line[0], "untrusted comment:", 18) != 0 ||
	    linelen[2] < 17 || strncmp(line[2], "trusted comment: ", 17) != 0)
		goto malformed;
	if (b64_decode(line[1], linelen[1], bin, sizeof(bin), &binlen) < 0 ||
	    binlen != sizeof(bin) ||
	    b64_decode(line[3], linelen[3], gsig, sizeof(gsig), &glen) < 0 ||
	    glen != sizeof(gsig))
		goto malformed;
	if (bin[0] != 'E' || (bin[1] != 'd' && bin[1] != 'D'))
		goto malformed;
	for (size_t i = 0; i < keys->n; i++)
		if (memcmp(keys->k[i].id, bin + 2, 8) == 0)
			pk = keys->k[i].pk;
	if (!pk) {
		snprintf(err, errlen, "signed with a key this box does not "
			 "trust (key id %02X%02X%02X%02X%02X%02X%02X%02X)",
			 bin[9], bin[8], bin[7], bin[6], bin[5], bin[4],
			 bin[3], bin[2]);
		return -EPERM;
	}
	if (bin[1] == 'd') {
		/* "Ed": the signature covers the data itself. */
		ok = crypto_sign_verify_detached(bin + 10, (const uint8_t *)msg,
						 len, pk) == 0;
	} else {
		/* "ED" (minisign's default): it covers BLAKE2b-512 of it. */
		crypto_generichash(hash, sizeof(hash), (const uint8_t *)msg,
				   len, NULL, 0);
		ok = crypto_sign_verify_detached(bin + 10, hash, sizeof(hash),
						 pk) == 0;
	}
	if (!ok) {
		snprintf(err, errlen, "the signature does not match the "
			 "manifest");
		return -EPERM;
	}
	/* The global signature covers the signature and the trusted comment,
	 * so the comment cannot be changed either. */
	comment = line[2] + 17;
	clen = linelen[2] - 17;
	signed_comment = malloc(64 + clen);
	if (!signed_comment) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(signed_comment, bin + 10, 64);
	memcpy(signed_comment + 64, comment, clen);
	ok = crypto_sign_verify_detached(gsig, signed_comment, 64 + clen,
					 pk) == 0;
	free(signed_comment);
	if (!ok) {
		snprintf(err, errlen, "the signature's trusted comment was "
			 "changed");
		return -EPERM;
	}
	return 0;
malformed:
	snprintf(err, errlen, "the signature file is not in minisign's format");
	return -EINVAL;
}

