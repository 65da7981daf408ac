/* Signed data bundles: everything under data/ (fingerprints, support,
 * intel, credentials) as one file an ISP signs with the standard minisign
 * tool, checked here before a byte of it is used.
 *
 * The file is an uncompressed POSIX tar (ustar) holding:
 *   manifest          the signed text (see ym_bundle_manifest_parse)
 *   manifest.minisig  minisign's detached Ed25519 signature of it
 *   the files         each listed in the manifest with its size and SHA-256
 * Only regular files and directories are accepted; anything else (links,
 * devices, long-name extensions), a path that is absolute, climbs with "..",
 * or names a file twice refuses the whole bundle.
 *
 * Installed bundles live in state_dir/data/<version>/, and
 * state_dir/data/current is a symbolic link to the one in use, replaced by
 * rename(2) so a reader sees the old set or the new one, never a mixture.
 *
 * Part of the base: it includes only the base. */
#ifndef YM_BUNDLE_H
#define YM_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ym-limits.h"

/* The manifest format this build reads. */
#define YM_BUNDLE_FORMAT 1

struct ym_bundle_file {
	char path[YM_BUNDLE_PATH_MAX];
	uint64_t size;
	uint8_t sha256[32];
};

struct ym_bundle_manifest {
	uint32_t format;
	uint64_t version;       /* grows with every bundle; never goes back */
	int64_t created;        /* seconds since 1970, UTC */
	int64_t expires;
	size_t n_files;
	struct ym_bundle_file *files;
};

/* Parses a manifest:
 *   yamori-bundle 1
 *   version 7
 *   created 2026-12-01T00:00:00Z
 *   expires 2027-03-01T00:00:00Z
 *   file <sha256 hex> <size> <path>
 * Every key once (file once per path), nothing else; "#" lines and blank
 * lines are skipped. 0, or -EINVAL/-ENOMEM with one line in err. */
int ym_bundle_manifest_parse(const char *text, size_t len,
			     struct ym_bundle_manifest *m, char *err,
			     size_t errlen) __attribute__((warn_unused_result));
void ym_bundle_manifest_free(struct ym_bundle_manifest *m);

/* True when path may name a file of a bundle: one to three parts of
 * [A-Za-z0-9._-] not starting with '.', the first one of the data
 * directories (fingerprints, support, intel, credentials). */
bool ym_bundle_path_ok(const char *path);

/* The public keys a bundle may be signed with. */
struct ym_bundle_keys {
	size_t n;
	struct {
		uint8_t id[8];
		uint8_t pk[32];
	} k[YM_BUNDLE_MAX_KEYS];
};

/* The compiled-in key, then every *.pub file (minisign's public key format)
 * of dir, if dir is given and exists. A bad key file is a warning on
 * stderr, not an error. */
void ym_bundle_keys_load(struct ym_bundle_keys *keys, const char *dir);

/* Parses one minisign public key (the base64 line, or the whole .pub
 * file). 0 or -EINVAL. */
int ym_bundle_key_parse(const char *text, uint8_t id[8], uint8_t pk[32]);

/* Checks a minisign signature file (both the signature of msg and the
 * global signature of the trusted comment) against keys. 0, or -EPERM
 * (-EINVAL for a malformed file) with one line in err. */
int ym_bundle_verify(const char *msg, size_t len, const char *sig,
		     size_t siglen, const struct ym_bundle_keys *keys,
		     char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* What is installed: the directory to load data from and its manifest's
 * dates. version 0 when no bundle is (the packaged data_dir, possibly with
 * its own manifest). */
struct ym_bundle_info {
	uint64_t version;
	int64_t created, expires;
	char dir[1100];
};

/* The data in use: state_dir/data/current when a bundle is installed,
 * else data_dir. */
void ym_bundle_installed(const char *state_dir, const char *data_dir,
			 struct ym_bundle_info *info);

/* A bundle checked and unpacked beside the installed ones, not yet in use. */
struct ym_bundle_staged {
	struct ym_bundle_manifest m;
	char root[1040];       /* state_dir/data */
	char dir[1100];        /* the unpacked files, to be loaded as a test */
};

/* Checks a bundle held in memory: the tar, the signature against keys, the
 * manifest, every file's size and SHA-256, a version above installed, not
 * expired at now; then unpacks it into a new directory under
 * state_dir/data. 0 and *out, or a negative errno with one line in err
 * (nothing is left on the disk then). */
int ym_bundle_stage(const uint8_t *buf, size_t len,
		    const struct ym_bundle_keys *keys, const char *state_dir,
		    uint64_t installed, int64_t now,
		    struct ym_bundle_staged *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The same for a file on the disk (at most YM_BUNDLE_MAX_BYTES). */
int ym_bundle_stage_file(const char *path, const struct ym_bundle_keys *keys,
			 const char *state_dir, uint64_t installed,
			 int64_t now, struct ym_bundle_staged *out, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

/* Puts a staged bundle in use: renames it to its version and swaps the
 * current link atomically; older versions but the previous are removed.
 * s->dir then names the installed directory. Frees the manifest either
 * way. */
int ym_bundle_commit(struct ym_bundle_staged *s, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Removes a staged bundle that will not be used. */
void ym_bundle_discard(struct ym_bundle_staged *s);

/* For the loader (datafile.c): when dir is a directory of an installed
 * bundle (its parent holds a manifest), checks that every *suffix file of
 * dir is listed with the same SHA-256, and every listed one is there.
 * 0 when it matches or dir is not in a bundle; -EPERM with err otherwise. */
int ym_bundle_check_dir(const char *dir, const char *suffix, char *err,
			size_t errlen) __attribute__((warn_unused_result));

#endif
