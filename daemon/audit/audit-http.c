#define _GNU_SOURCE /* memmem, explicit_bzero */
/* HTTP and RTSP logins: Basic (RFC 7617) and Digest with MD5 and qop=auth
 * (RFC 2617), tried only when the device answers 401 with a challenge. */
#include "audit-proto.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* MD5 from nDPI, which the daemon links anyway (it hashes JA3 with it). */
#include <ndpi_api.h>

bool ym_audit_out_add(struct ym_audit_out *o, const void *data, size_t len)
{
	if (len > sizeof(o->buf) - o->len)
		return false;
	memcpy(o->buf + o->len, data, len);
	o->len += len;
	return true;
}

/* ---- challenges ---- */

/* Copies a parameter value; false when it does not fit (a cut nonce would
 * only give wrong answers). */
static bool copy_param(char *dst, size_t dstlen, const char *v, size_t vlen)
{
	if (vlen >= dstlen)
		return false;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return true;
}

/* True when the comma-separated list holds "auth" (not "auth-int"). */
static bool qop_has_auth(const char *v, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && (v[i] == ' ' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',' && v[i] != ' ')
			i++;
		end = i;
		if (end - start == 4 && strncasecmp(v + start, "auth", 4) == 0)
			return true;
	}
	return false;
}

int ym_http_parse_challenge(const char *s, size_t len,
			    struct ym_http_challenge *ch)
{
	char val[256];
	size_t i = 0, start;
	bool qop_seen = false;

	memset(ch, 0, sizeof(*ch));
	while (i < len && s[i] == ' ')
		i++;
	start = i;
	while (i < len && s[i] != ' ' && s[i] != ',')
		i++;
	if (i - start == 5 && strncasecmp(s + start, "Basic", 5) == 0)
		ch->scheme = YM_AUTH_BASIC;
	else if (i - start == 6 && strncasecmp(s + start, "Digest", 6) == 0)
		ch->scheme = YM_AUTH_DIGEST;
	else
		return -EINVAL;
	/* auth-params: key=token or key="quoted \"string\"" */
	while (i < len) {
		size_t kstart, klen, vlen = 0;

		while (i < len && (s[i] == ' ' || s[i] == ','))
			i++;
		kstart = i;
		while (i < len && s[i] != '=' && s[i] != ' ' && s[i] != ',')
			i++;
		klen = i - kstart;
		if (i >= len || s[i] != '=') {
			/* Another scheme in the same header: stop here. */
			break;
		}
		i++;
		if (i < len && s[i] == '"') {
			i++;
			while (i < len && s[i] != '"') {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				if (vlen < sizeof(val) - 1)
					val[vlen] = s[i];
				vlen++;
				i++;
			}
			if (i >= len)
				return -EINVAL; /* unclosed quote */
			i++;
		} else {
			while (i < len && s[i] != ',' && s[i] != ' ') {
				if (vlen < sizeof(val) - 1)
					val[vlen] = s[i];
				vlen++;
				i++;
			}
		}
		if (vlen >= sizeof(val)) {
			ch->unsupported = true;
			continue;
		}
		val[vlen] = '\0';
#define KEY(k) (klen == sizeof(k) - 1 && strncasecmp(s + kstart, k, klen) == 0)
		if (KEY("realm")) {
			if (!copy_param(ch->realm, sizeof(ch->realm), val, vlen))
				ch->unsupported = true;
		} else if (KEY("nonce")) {
			if (!copy_param(ch->nonce, sizeof(ch->nonce), val, vlen))
				ch->unsupported = true;
		} else if (KEY("opaque")) {
			if (!copy_param(ch->opaque, sizeof(ch->opaque), val,
					vlen))
				ch->unsupported = true;
		} else if (KEY("qop")) {
			qop_seen = true;
			ch->qop_auth = qop_has_auth(val, vlen);
		} else if (KEY("algorithm")) {
			if (strcasecmp(val, "MD5-sess") == 0)
				ch->md5_sess = true;
			else if (strcasecmp(val, "MD5") != 0)
				ch->unsupported = true; /* SHA-256 ... */
		} else if (KEY("stale")) {
			ch->stale = strcasecmp(val, "true") == 0;
		}
#undef KEY
	}
	if (ch->scheme == YM_AUTH_DIGEST &&
	    (ch->nonce[0] == '\0' || (qop_seen && !ch->qop_auth)))
		ch->unsupported = true;
	return 0;
}

/* ---- Digest ---- */

static void md5_hex(const char *data, size_t len, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[16];

	ndpi_md5((const u_char *)data, len, d);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[32] = '\0';
}

void ym_http_digest_response(const struct ym_http_challenge *ch,
			     const char *method, const char *uri,
			     const char *user, const char *pass,
			     const char *cnonce, uint32_t nc, char out[33])
{
	char buf[768], ha1[33], ha2[33];
	int n;

	n = snprintf(buf, sizeof(buf), "%s:%s:%s", user, ch->realm, pass);
	md5_hex(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
		ha1);
	if (ch->md5_sess) {
		n = snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, ch->nonce,
			     cnonce);
		md5_hex(buf, (size_t)n < sizeof(buf) ? (size_t)n :
						       sizeof(buf) - 1, ha1);
	}
	n = snprintf(buf, sizeof(buf), "%s:%s", method, uri);
	md5_hex(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
		ha2);
	if (ch->qop_auth)
		n = snprintf(buf, sizeof(buf), "%s:%s:%08x:%s:auth:%s", ha1,
			     ch->nonce, nc, cnonce, ha2);
	else
		n = snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, ch->nonce, ha2);
	md5_hex(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
		out);
	/* The first buffer held the password. */
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(ha1, sizeof(ha1));
}

/* Appends a quoted-string, escaping '"' and '\'. */
static bool put_quoted(char *out, size_t outlen, size_t *pos, const char *s)
{
	if (*pos + 1 >= outlen)
		return false;
	out[(*pos)++] = '"';
	for (; *s; s++) {
		if (*pos + 3 >= outlen)
			return false;
		if (*s == '"' || *s == '\\')
			out[(*pos)++] = '\\';
		out[(*pos)++] = *s;
	}
	out[(*pos)++] = '"';
	out[*pos] = '\0';
	return true;
}

static bool put_text(char *out, size_t outlen, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n >= outlen)
		return false;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return true;
}

static void base64(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

int ym_http_authorization(const struct ym_http_challenge *ch,
			  const char *method, const char *uri, const char *user,
			  const char *pass, const char *cnonce, uint32_t nc,
			  char *out, size_t outlen)
{
	char response[33], ncbuf[16];
	size_t pos = 0;
	bool ok;

	if (ch->scheme == YM_AUTH_BASIC) {
		char plain[YM_AUDIT_USER_MAX + YM_AUDIT_PASS_MAX + 1];
		char enc[sizeof(plain) / 3 * 4 + 8];
		int n = snprintf(plain, sizeof(plain), "%s:%s", user, pass);

		if (n < 0 || (size_t)n >= sizeof(plain))
			return -ENOSPC;
		base64((const unsigned char *)plain, (size_t)n, enc);
		explicit_bzero(plain, sizeof(plain));
		ok = put_text(out, outlen, &pos, "Basic ") &&
		     put_text(out, outlen, &pos, enc);
		explicit_bzero(enc, sizeof(enc));
		return ok ? 0 : -ENOSPC;
	}
	if (ch->scheme != YM_AUTH_DIGEST || ch->unsupported)
		return -EINVAL;
	ym_http_digest_response(ch, method, uri, user, pass, cnonce, nc,
				response);
	snprintf(ncbuf, sizeof(ncbuf), "%08x", nc);
	ok = put_text(out, outlen, &pos, "Digest username=") &&
	     put_quoted(out, outlen, &pos, user) &&
	     put_text(out, outlen, &pos, ", realm=") &&
	     put_quoted(out, outlen, &pos, ch->realm) &&
	     put_text(out, outlen, &pos, ", nonce=") &&
	     put_quoted(out, outlen, &pos, ch->nonce) &&
	     put_text(out, outlen, &pos, ", uri=") &&
	     put_quoted(out, outlen, &pos, uri) &&
	     put_text(out, outlen, &pos,
		      ch->md5_sess ? ", algorithm=MD5-sess" :
				     ", algorithm=MD5") &&
	     put_text(out, outlen, &pos, ", response=") &&
	     put_quoted(out, outlen, &pos, response);
	if (ok && ch->opaque[0])
		ok = put_text(out, outlen, &pos, ", opaque=") &&
		     put_quoted(out, outlen, &pos, ch->opaque);
	if (ok && ch->qop_auth)
		ok = put_text(out, outlen, &pos, ", qop=auth, nc=") &&
		     put_text(out, outlen, &pos, ncbuf) &&
		     put_text(out, outlen, &pos, ", cnonce=") &&
		     put_quoted(out, outlen, &pos, cnonce);
	return ok ? 0 : -ENOSPC;
}

/* ---- the conversation ---- */

size_t ym_http_head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* The request line's target: "/" for HTTP, the absolute URI for RTSP. */
static void request_uri(const struct ym_http *h, char *uri, size_t len)
{
	if (h->rtsp)
		snprintf(uri, len, "rtsp://%s:%u/", h->host, h->port);
	else
		snprintf(uri, len, "/");
}

static void add_str(struct ym_audit_out *out, const char *s)
{
	ym_audit_out_add(out, s, strlen(s));
}

/* Writes one request; with credentials when user is set. */
static void send_request(struct ym_http *h, const char *method, int cseq,
			 struct ym_audit_out *out)
{
	char line[256], uri[128], auth[768];

	request_uri(h, uri, sizeof(uri));
	if (h->rtsp) {
		snprintf(line, sizeof(line), "%s %s RTSP/1.0\r\nCSeq: %d\r\n",
			 method, uri, cseq);
		add_str(out, line);
		if (strcmp(method, "DESCRIBE") == 0)
			add_str(out, "Accept: application/sdp\r\n");
	} else {
		if (h->port == 80)
			snprintf(line, sizeof(line),
				 "%s %s HTTP/1.1\r\nHost: %s\r\n", method, uri,
				 h->host);
		else
			snprintf(line, sizeof(line),
				 "%s %s HTTP/1.1\r\nHost: %s:%u\r\n", method,
				 uri, h->host, h->port);
		add_str(out, line);
		add_str(out, "Accept: */*\r\nConnection: close\r\n");
	}
	if (h->user &&
	    ym_http_authorization(&h->ch, method, uri, h->user, h->pass,
				  h->cnonce, 1, auth, sizeof(auth)) == 0) {
		add_str(out, "Authorization: ");
		add_str(out, auth);
		add_str(out, "\r\n");
		explicit_bzero(auth, sizeof(auth));
	}
	add_str(out, "User-Agent: Yamori/1.0\r\n\r\n");
}

void ym_http_start(struct ym_http *h, bool rtsp, const char *host,
		   uint16_t port, const char *user, const char *pass,
		   const struct ym_http_challenge *ch, const char *cnonce,
		   struct ym_audit_out *out)
{
	memset(h, 0, sizeof(*h));
	h->rtsp = rtsp;
	snprintf(h->host, sizeof(h->host), "%s", host);
	h->port = port;
	h->user = user;
	h->pass = pass;
	snprintf(h->cnonce, sizeof(h->cnonce), "%s", cnonce ? cnonce : "");
	if (ch)
		h->ch = *ch;
	if (rtsp && !user)
		send_request(h, "OPTIONS", 1, out);
	else
		send_request(h, rtsp ? "DESCRIBE" : "GET", 1, out);
}

/* Reads the challenges of a 401 into h->ch: Digest before Basic, one we
 * can answer before one we cannot. */
static void read_challenges(struct ym_http *h, size_t head_len)
{
	struct ym_http_challenge best, ch;
	const char *p = h->head, *end = h->head + head_len;
	int best_rank = 0;

	memset(&best, 0, sizeof(best));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t llen = eol ? (size_t)(eol - p) : (size_t)(end - p);
		static const char name[] = "www-authenticate:";

		if (llen && p[llen - 1] == '\r')
			llen--;
		if (llen > sizeof(name) - 1 &&
		    strncasecmp(p, name, sizeof(name) - 1) == 0 &&
		    ym_http_parse_challenge(p + sizeof(name) - 1,
					    llen - (sizeof(name) - 1),
					    &ch) == 0) {
			int rank = ch.unsupported ? 1 :
				   ch.scheme == YM_AUTH_BASIC ? 2 : 3;

			if (rank > best_rank) {
				best = ch;
				best_rank = rank;
			}
		}
		p = eol ? eol + 1 : end;
	}
	h->ch = best;
	if (best_rank == 0)
		h->ch.unsupported = true; /* NTLM, Negotiate, none */
}

/* The Content-Length header's value; UINT64_MAX when there is none. */
static uint64_t content_length(const char *head, size_t len)
{
	static const char name[] = "\ncontent-length:";
	const char *p = head, *end = head + len;
	uint64_t v = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) &&
	       (size_t)(end - p) > sizeof(name) - 1) {
		if (strncasecmp(p, name, sizeof(name) - 1) == 0) {
			p += sizeof(name) - 1;
			while (p < end && *p == ' ')
				p++;
			while (p < end && isdigit((unsigned char)*p) &&
			       v < (1ULL << 40))
				v = v * 10 + (uint64_t)(*p++ - '0');
			return v;
		}
		p++;
	}
	return UINT64_MAX;
}

/* A complete response head is in h->head. */
static enum ym_av on_head(struct ym_http *h, size_t head_len,
			  struct ym_audit_out *out)
{
	const char *proto = h->rtsp ? "RTSP/1.0 " : "HTTP/1.";
	size_t plen = strlen(proto);
	const char *s = h->head + plen;
	int status;

	if (!h->rtsp)
		s += 2; /* "1 " or "0 " */
	if (head_len < plen + 6 || strncmp(h->head, proto, plen) != 0 ||
	    !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]))
		return h->user ? YM_AV_ERROR : YM_AV_ABSENT;
	status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	h->status = status;
	if (status == 401)
		read_challenges(h, head_len);
	if (!h->user) {
		if (h->rtsp && h->step == 0 && status != 401) {
			/* OPTIONS answered: now ask for the stream. */
			h->step = 1;
			h->skip = content_length(h->head, head_len);
			if (h->skip == UINT64_MAX)
				h->skip = 0;
			send_request(h, "DESCRIBE", 2, out);
			return YM_AV_MORE;
		}
		if (status == 401)
			return YM_AV_LOGIN;
		if (status != 200)
			return YM_AV_ABSENT;
		if (h->rtsp)
			return YM_AV_OPEN;
		/* A web page: does it ask for a password in a form? */
		h->in_page = true;
		h->page_left = content_length(h->head, head_len);
		return h->page_left == 0 ? YM_AV_OPEN : YM_AV_MORE;
	}
	if (status >= 200 && status < 400)
		return YM_AV_ACCEPTED;
	if (status == 401)
		return h->ch.stale ? YM_AV_STALE : YM_AV_REFUSED;
	return status == 403 ? YM_AV_REFUSED : YM_AV_ERROR;
}

/* Reads a page for a password field, a character at a time. */
static enum ym_av page_feed(struct ym_http *h, uint8_t c)
{
	static const char mark[] = YM_HTTP_FORM_MARK;
	const size_t n = sizeof(mark) - 1;

	if (h->page_left != UINT64_MAX)
		h->page_left--;
	h->page_read++;
	if (!strchr(" \t\r\n\"'", c) || c == '\0') {
		if (h->mark_len == n) {
			memmove(h->mark, h->mark + 1, n - 1);
			h->mark_len--;
		}
		h->mark[h->mark_len++] = (char)tolower(c);
		if (h->mark_len == n && memcmp(h->mark, mark, n) == 0) {
			h->form = true;
			return YM_AV_LOGIN;
		}
	}
	if (h->page_left == 0)
		return YM_AV_OPEN; /* the whole page, no password field */
	if (h->page_read >= YM_HTTP_PAGE_MAX)
		return YM_AV_ERROR; /* too large to tell */
	return YM_AV_MORE;
}

enum ym_av ym_http_feed(struct ym_http *h, const uint8_t *data, size_t len,
			struct ym_audit_out *out)
{
	const char *proto = h->rtsp ? "RTSP/" : "HTTP/";

	for (size_t i = 0; i < len; i++) {
		enum ym_av v;

		if (h->in_page) {
			v = page_feed(h, data[i]);
			if (v != YM_AV_MORE)
				return v;
			continue;
		}
		if (h->skip) {
			h->skip--;
			continue;
		}
		if (h->len == sizeof(h->head))
			return YM_AV_ERROR; /* a head this large is not sane */
		h->head[h->len++] = (char)data[i];
		/* Not this protocol: no need to wait for more. */
		if (h->len <= 5 && h->head[h->len - 1] != proto[h->len - 1])
			return h->user ? YM_AV_ERROR : YM_AV_ABSENT;
		/* Only the newest bytes can complete the head. */
		if (data[i] != '\n' ||
		    ym_http_head_end(h->head + (h->len > 3 ? h->len - 3 : 0),
				     h->len > 3 ? 3 : h->len) == 0)
			continue;
		v = on_head(h, h->len, out);
		h->len = 0;
		if (v != YM_AV_MORE)
			return v;
	}
	return YM_AV_MORE;
}

enum ym_av ym_http_eof(struct ym_http *h)
{
	/* A page that ends at the close was read whole; one that ends
	 * before its Content-Length was cut. */
	if (h->in_page && h->page_left == UINT64_MAX)
		return YM_AV_OPEN;
	return YM_AV_ERROR;
}
