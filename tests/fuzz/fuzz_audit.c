/* libFuzzer harness for the password check's protocol engines: what a
 * device on the LAN answers goes into the telnet, FTP, HTTP and RTSP
 * engines (as a probe and as a login attempt, cut in two at a point the
 * input chooses) and the WWW-Authenticate parser. Every verdict must be one
 * the engine may give in that role, and what it asks to send must fit its
 * buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_out(const struct ym_audit_out *out)
{
	if (out->len > sizeof(out->buf))
		abort();
}

static enum ym_av feed(int kind, void *e, const uint8_t *d, size_t n,
		       struct ym_audit_out *out)
{
	enum ym_av v;

	switch (kind) {
	case 0:
		v = ym_telnet_feed(e, d, n, out);
		if (v == YM_AV_MORE)
			v = ym_telnet_quiet(e, out);
		break;
	case 1:
		v = ym_ftp_feed(e, d, n, out);
		break;
	default:
		v = ym_http_feed(e, d, n, out);
		break;
	}
	check_out(out);
	/* The transport empties the buffer after every call. */
	out->len = 0;
	return v;
}

static enum ym_av eof(int kind, void *e)
{
	return kind == 0 ? ym_telnet_eof(e) :
	       kind == 1 ? ym_ftp_eof(e) :
			   ym_http_eof(e);
}

static void run(int kind, bool probe, const uint8_t *d, size_t n,
		size_t cut)
{
	static union {
		struct ym_telnet t;
		struct ym_ftp f;
		struct ym_http h;
	} e;
	struct ym_http_challenge ch = { .scheme = YM_AUTH_DIGEST,
					.qop_auth = true };
	struct ym_audit_out out = { .len = 0 };
	const char *user = probe ? NULL : "admin", *pass = "admin";
	enum ym_av v;

	memset(&e, 0, sizeof(e));
	snprintf(ch.realm, sizeof(ch.realm), "cam");
	snprintf(ch.nonce, sizeof(ch.nonce), "abc");
	if (kind == 0)
		ym_telnet_start(&e.t, user, pass);
	else if (kind == 1)
		ym_ftp_start(&e.f, user, pass);
	else
		ym_http_start(&e.h, kind == 3, "10.0.0.2", kind == 3 ? 554 : 80,
			      user, pass, probe ? NULL : &ch,
			      "0123456789abcdef", &out);
	check_out(&out);
	out.len = 0;
	v = feed(kind, &e, d, cut, &out);
	if (v == YM_AV_MORE)
		v = feed(kind, &e, d + cut, n - cut, &out);
	if (v == YM_AV_MORE)
		v = eof(kind, &e);
	if (v > YM_AV_ERROR)
		abort();
	/* A probe never says a login worked; an attempt never that there is
	 * a login to try. */
	if (probe && (v == YM_AV_ACCEPTED || v == YM_AV_REFUSED))
		abort();
	if (!probe && kind != 0 && v == YM_AV_LOGIN)
		abort();
	if (kind >= 2 && e.h.len > sizeof(e.h.head))
		abort();
	if (kind == 2 && e.h.form && v != YM_AV_LOGIN)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_http_challenge ch;
	size_t cut;

	if (size < 2)
		return 0;
	cut = data[0] % (size - 1);
	data++;
	size--;
	for (int kind = 0; kind < 4; kind++) {
		run(kind, true, data, size, cut);
		run(kind, false, data, size, cut);
	}
	if (ym_http_parse_challenge((const char *)data, size, &ch) == 0) {
		if (strnlen(ch.realm, sizeof(ch.realm)) >= sizeof(ch.realm) ||
		    strnlen(ch.nonce, sizeof(ch.nonce)) >= sizeof(ch.nonce) ||
		    strnlen(ch.opaque, sizeof(ch.opaque)) >= sizeof(ch.opaque))
			abort();
	}
	return 0;
}
