/* Signed data bundles: the manifest parser, allowed paths, minisign keys and
 * signatures (legacy and prehashed, made here with libsodium as minisign
 * makes them), and the tar checks of ym_bundle_stage. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "bundle.h"

static const char good[] =
	"# a comment\n"
	"yamori-bundle 1\n"
	"version 12\n"
	"created 2026-12-01T00:00:00Z\n"
	"expires 2027-03-01T00:00:00Z\n"
	"file e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 "
	"fingerprints/a.rules\n"
	"file e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 "
	"intel/x.list\n";

static int parse(const char *text, struct ym_bundle_manifest *m, char *err)
{
	return ym_bundle_manifest_parse(text, strlen(text), m, err, 256);
}

static void manifest_good(void **state)
{
	struct ym_bundle_manifest m;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(good, &m, err), 0);
	assert_int_equal(m.format, 1);
	assert_int_equal(m.version, 12);
	assert_int_equal(m.created, 1796083200);
	assert_int_equal(m.expires, 1803859200);
	assert_int_equal(m.n_files, 2);
	assert_string_equal(m.files[1].path, "intel/x.list");
	assert_int_equal(m.files[0].sha256[0], 0xe3);
	ym_bundle_manifest_free(&m);
}

static void manifest_bad(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "version 1\n", "not a Yamori" },
		{ "yamori-bundle 2\nversion 1\n", "format 2" },
		{ "yamori-bundle 1\nversion 1\ncreated 2026-12-01T00:00:00Z\n",
		  "missing" },
		{ "yamori-bundle 1\nversion 0\n", "manifest:2" },
		{ "yamori-bundle 1\nversion 1\nversion 2\n", "manifest:3" },
		{ "yamori-bundle 1\nversion -1\n", "manifest:2" },
		{ "yamori-bundle 1\nversion 99999999999999999999\n",
		  "manifest:2" },
		{ "yamori-bundle 1\nversion 1\ncreated 2026-12-01\n",
		  "manifest:3" },
		{ "yamori-bundle 1\nversion 1\ncreated 2027-01-01T00:00:00Z\n"
		  "expires 2026-01-01T00:00:00Z\n", "expires before" },
		{ "yamori-bundle 1\nfile 00 0 intel/a.list\n", "manifest:2" },
		{ "yamori-bundle 1\nfile e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
		  "649b934ca495991b7852b855 0 ../etc/passwd\n", "not allowed" },
		{ "yamori-bundle 1\nfile e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
		  "649b934ca495991b7852b855 0 intel/a\nfile e3b0c44298fc1c149afbf"
		  "4c8996fb92427ae41e4649b934ca495991b7852b855 0 intel/a\n",
		  "twice" },
		{ "yamori-bundle 1\nsurprise 1\n", "unexpected" },
	};
	struct ym_bundle_manifest m;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(cases[i].text, &m, err), -EINVAL);
		if (!strstr(err, cases[i].why))
			fail_msg("case %zu: %s", i, err);
		assert_null(m.files);
	}
	/* A NUL inside is not text. */
	assert_int_equal(ym_bundle_manifest_parse("yamori-bundle 1\0", 16, &m,
						  err, sizeof(err)),
			 -EINVAL);
}

static void paths(void **state)
{
	(void)state;
	assert_true(ym_bundle_path_ok("fingerprints/models.rules"));
	assert_true(ym_bundle_path_ok("fingerprints/import/import.py"));
	assert_true(ym_bundle_path_ok("credentials/web.creds"));
	assert_false(ym_bundle_path_ok("fingerprints"));
	assert_false(ym_bundle_path_ok("etc/passwd"));
	assert_false(ym_bundle_path_ok("/fingerprints/a.rules"));
	assert_false(ym_bundle_path_ok("fingerprints/../a.rules"));
	assert_false(ym_bundle_path_ok("fingerprints/.hidden"));
	assert_false(ym_bundle_path_ok("fingerprints//a.rules"));
	assert_false(ym_bundle_path_ok("fingerprints/a b.rules"));
	assert_false(ym_bundle_path_ok("fingerprints/a/b/c.rules"));
	assert_false(ym_bundle_path_ok("intel/a\\b"));
}

/* A minisign signature file of msg, made as minisign makes it. */
static void make_sig(const char *msg, bool prehash, const uint8_t id[8],
		     const uint8_t sk[64], char *out, size_t outlen)
{
	uint8_t bin[74], hash[64], sig_comment[64 + 64];
	char b64[200], gb64[200];
	const char *comment = "timestamp:1 file:manifest";
	uint8_t gsig[64];

	bin[0] = 'E';
	bin[1] = prehash ? 'D' : 'd';
	memcpy(bin + 2, id, 8);
	if (prehash) {
		crypto_generichash(hash, 64, (const uint8_t *)msg, strlen(msg),
				   NULL, 0);
		crypto_sign_detached(bin + 10, NULL, hash, 64, sk);
	} else {
		crypto_sign_detached(bin + 10, NULL, (const uint8_t *)msg,
				     strlen(msg), sk);
	}
	memcpy(sig_comment, bin + 10, 64);
	memcpy(sig_comment + 64, comment, strlen(comment));
	crypto_sign_detached(gsig, NULL, sig_comment, 64 + strlen(comment), sk);
	sodium_bin2base64(b64, sizeof(b64), bin, sizeof(bin),
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(gb64, sizeof(gb64), gsig, sizeof(gsig),
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, outlen,
		 "untrusted comment: signature from minisign secret key\n"
		 "%s\ntrusted comment: %s\n%s\n", b64, comment, gb64);
}

static void signatures(void **state)
{
	struct ym_bundle_keys keys;
	uint8_t pk[32], sk[64], id[8] = { 1, 2, 3, 4, 5, 6, 7, 8 },
		other[8] = { 9 };
	char sig[1024], err[256], pub[200], line[100];
	uint8_t keybin[42];

	(void)state;
	assert_true(sodium_init() >= 0);
	crypto_sign_keypair(pk, sk);
	keybin[0] = 'E';
	keybin[1] = 'd';
	memcpy(keybin + 2, id, 8);
	memcpy(keybin + 10, pk, 32);
	sodium_bin2base64(line, sizeof(line), keybin, sizeof(keybin),
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(pub, sizeof(pub),
		 "untrusted comment: minisign public key 0807060504030201\n%s\n",
		 line);
	ym_bundle_keys_load(&keys, NULL);
	assert_int_equal(keys.n, 1); /* the compiled-in key */
	assert_int_equal(ym_bundle_key_parse(pub, keys.k[1].id, keys.k[1].pk),
			 0);
	keys.n = 2;
	assert_int_equal(ym_bundle_key_parse("untrusted comment: x\nAAAA\n",
					     id, pk), -EINVAL);

	for (int prehash = 0; prehash < 2; prehash++) {
		make_sig(good, prehash, id, sk, sig, sizeof(sig));
		assert_int_equal(ym_bundle_verify(good, strlen(good), sig,
						  strlen(sig), &keys, err,
						  sizeof(err)), 0);
		/* One byte of the manifest changed. */
		assert_int_equal(ym_bundle_verify(good, strlen(good) - 1, sig,
						  strlen(sig), &keys, err,
						  sizeof(err)), -EPERM);
		assert_non_null(strstr(err, "does not match"));
	}
	/* The trusted comment changed. */
	make_sig(good, true, id, sk, sig, sizeof(sig));
	*strstr(sig, "timestamp:1") = 'T';
	assert_int_equal(ym_bundle_verify(good, strlen(good), sig, strlen(sig),
					  &keys, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "trusted comment"));
	/* A key this box does not know. */
	make_sig(good, true, other, sk, sig, sizeof(sig));
	assert_int_equal(ym_bundle_verify(good, strlen(good), sig, strlen(sig),
					  &keys, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "does not trust"));
	/* Not a signature file. */
	assert_int_equal(ym_bundle_verify(good, strlen(good), "hello\n", 6,
					  &keys, err, sizeof(err)), -EINVAL);
}

/* One ustar header block for name, size and type. */
static void header(uint8_t *h, const char *name, size_t size, char type)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 124, 12, "%011zo", size);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

static void tar_checks(void **state)
{
	struct ym_bundle_keys keys = { 0 };
	struct ym_bundle_staged st;
	uint8_t buf[512 * 6];
	char err[256];

	(void)state;
	memset(buf, 0, sizeof(buf));
	/* Not a tar at all. */
	memcpy(buf, "hello", 5);
	assert_int_equal(ym_bundle_stage(buf, sizeof(buf), &keys, "/nonexistent",
					 0, 0, &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a tar"));
	/* A link entry. */
	header(buf, "fingerprints/a.rules", 0, '2');
	assert_int_equal(ym_bundle_stage(buf, sizeof(buf), &keys, "/nonexistent",
					 0, 0, &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "other than files"));
	/* A size past the end. */
	header(buf, "manifest", 100000, '0');
	assert_int_equal(ym_bundle_stage(buf, sizeof(buf), &keys, "/nonexistent",
					 0, 0, &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	/* A damaged checksum. */
	header(buf, "manifest", 0, '0');
	buf[0] = 'M';
	assert_int_equal(ym_bundle_stage(buf, sizeof(buf), &keys, "/nonexistent",
					 0, 0, &st, err, sizeof(err)),
			 -EINVAL);
	/* Files, but no manifest or signature. */
	header(buf, "intel/a.list", 0, '0');
	assert_int_equal(ym_bundle_stage(buf, sizeof(buf), &keys, "/nonexistent",
					 0, 0, &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no manifest"));
	/* Junk after the end. */
	buf[sizeof(buf) - 1] = 1;
	assert_int_equal(ym_bundle_stage(buf, sizeof(buf), &keys, "/nonexistent",
					 0, 0, &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "after the end"));
	/* Nothing but a header: no end marker. */
	assert_int_equal(ym_bundle_stage(buf, 512, &keys, "/nonexistent", 0, 0,
					 &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "truncated"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(manifest_good),
		cmocka_unit_test(manifest_bad),
		cmocka_unit_test(paths),
		cmocka_unit_test(signatures),
		cmocka_unit_test(tar_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
