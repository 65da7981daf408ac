#define _GNU_SOURCE /* memmem, strcasestr */
/* What a device's own servers answer: its web server's streams, "who are
 * you" answers, login realm and page title, its FTP greeting and telnet
 * prompt (ym_sniff_served, ym_sniff_banner; called by sniff.c). */
#include "sniff-private.h"

#include <string.h>
#include <strings.h>

#include "device.h"
#include "identify.h"

/* The value of the first "key=value" line in p (a line starts p or
 * follows '\n'), cleaned; false if absent. */
static bool kv_line(const uint8_t *p, uint32_t len, const char *key,
		    char *out, size_t outlen)
{
	size_t n = strlen(key);

	out[0] = '\0';
	for (uint32_t i = 0; i + n < len; i++) {
		const uint8_t *a, *b;

		if ((i > 0 && p[i - 1] != '\n') || memcmp(p + i, key, n) != 0 ||
		    p[i + n] != '=')
			continue;
		a = p + i + n + 1;
		for (b = a; b < p + len && *b != '\r' && *b != '\n'; b++)
			;
		if (b == a)
			continue;
		ym_strlcpy_clean(out, (const char *)a, (size_t)(b - a), outlen);
		return true;
	}
	return false;
}

/* The text of the first <title> element in p, whatever its letter case
 * and attributes ("<Title>", "<title id=t>"), cleaned; false if absent. */
static bool html_title(const uint8_t *p, uint32_t len, char *out,
		       size_t outlen)
{
	out[0] = '\0';
	for (uint32_t i = 0; i + 7 < len; i++) {
		const uint8_t *a, *b;

		if (p[i] != '<' || strncasecmp((const char *)p + i + 1, "title",
					       5) != 0 ||
		    (p[i + 6] != '>' && p[i + 6] != ' '))
			continue;
		a = memchr(p + i + 6, '>', len - i - 6);
		if (!a)
			return false;
		a++;
		b = memchr(a, '<', (size_t)(p + len - a));
		if (!b || b == a)
			return false;
		ym_strlcpy_clean(out, (const char *)a, (size_t)(b - a), outlen);
		return true;
	}
	return false;
}

/* The value of an HTTP header within the headers of p, cleaned. */
bool ym_sniff_http_header(const uint8_t *p, uint32_t len, const char *name,
			char *out, size_t outlen)
{
	const uint8_t *end = memmem(p, len, "\r\n\r\n", 4);
	uint32_t hlen = end ? (uint32_t)(end - p) : len;
	size_t n = strlen(name);

	out[0] = '\0';
	for (uint32_t i = 0; i + 1 + n < hlen; i++) {
		const uint8_t *a, *b;

		if (p[i] != '\n' ||
		    strncasecmp((const char *)p + i + 1, name, n) != 0 ||
		    p[i + 1 + n] != ':')
			continue;
		a = p + i + 2 + n;
		while (a < p + hlen && (*a == ' ' || *a == '\t'))
			a++;
		b = memchr(a, '\r', (size_t)(p + hlen - a));
		if (!b)
			b = p + hlen;
		if (b == a)
			return false;
		ym_strlcpy_clean(out, (const char *)a, (size_t)(b - a), outlen);
		return true;
	}
	return false;
}

/* A camera's answer to "who are you" (NIPCA, ONVIF): what it serves, and
 * its maker and model read as a description's (empty: not in the
 * answer). */
static void who_answers(struct ym_sniff *s, struct ym_device *dev,
			const char *service, const char *maker,
			const char *model)
{
	ym_identify_signal(s->id, dev, YM_SIG_SERVICE, service);
	if (maker[0])
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_MANUFACTURER, maker);
	if (model[0])
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, model);
}

/* What a device's own server answers with can say what it is, whatever
 * it is called: a stream of JPEG frames (multipart/x-mixed-replace) is a
 * camera's live view, an RTSP description with a video track a camera's
 * stream; a camera's answer to its app's "who are you" names its maker
 * and model (NIPCA, the camera API of D-Link and its makers: the
 * "model=", "brand=", "nipca=" lines of /common/info.cgi; ONVIF's
 * GetDeviceInformation). Read as what it serves ("http/mjpeg",
 * "rtsp/video", "http/nipca", "http/onvif": services.rules gives them
 * meaning) and as a description's maker and model; the realm of its login
 * is read as its name (http_name), the title of its web page as
 * http_title. Only answers from a device at home: the internet's
 * come through the router. */
void ym_sniff_served(struct ym_sniff *s, struct ym_device *dev,
			 const struct ym_packet *pkt)
{
	const uint8_t *p = pkt->payload;
	uint32_t len = pkt->payload_len;
	bool http = ym_sniff_starts_with(p, len, "HTTP/1.");
	char v[96], ctype[96] = "";

	if (!ym_addr_is_private(&pkt->src))
		return;
	if (http)
		ym_sniff_http_header(p, len, "content-type", ctype, sizeof(ctype));
	if (ym_sniff_starts_with(p, len, "RTSP/1.0 200")) {
		if (memmem(p, len, "\nm=video", 8))
			ym_identify_signal(s->id, dev, YM_SIG_SERVICE,
					   "rtsp/video");
		return;
	}
	if (strncasecmp(ctype, "multipart/x-mixed-replace", 25) == 0)
		ym_identify_signal(s->id, dev, YM_SIG_SERVICE, "http/mjpeg");
	/* Its login names it: the realm of a camera's or a router's
	 * password prompt is often its model ("DCS-930L"). */
	if (http && len > 12 && memcmp(p + 8, " 401", 4) == 0 &&
	    ym_sniff_http_header(p, len, "www-authenticate", v, sizeof(v))) {
		const char *a = strcasestr(v, "realm=\"");
		const char *b = a ? strchr(a + 7, '"') : NULL;

		if (b && b > a + 7) {
			char realm[64];

			ym_strlcpy_clean(realm, a + 7, (size_t)(b - a - 7),
					 sizeof(realm));
			ym_identify_signal(s->id, dev, YM_SIG_HTTP_NAME,
					   realm);
		}
	}
	/* The answer's body: after its headers, or the segment itself when
	 * the server wrote the headers in a segment of their own. */
	if (http) {
		const uint8_t *body = memmem(p, len, "\r\n\r\n", 4);
		bool html = strcasestr(ctype, "html") != NULL;

		if (!body)
			return;
		len -= (uint32_t)(body + 4 - p);
		p = body + 4;
		/* The title of its own web page names it too; a page of its
		 * settings ("Motion Detection") is not its name, so a title is
		 * read for model families and brands, and for the few kind
		 * words the rules give http_title. */
		if (html && html_title(p, len, v, sizeof(v)))
			ym_identify_signal(s->id, dev, YM_SIG_HTTP_TITLE, v);
	} else if (!ym_sniff_starts_with(p, len, "model=") &&
		   !ym_sniff_starts_with(p, len, "<?xml")) {
		return;
	}
	if (kv_line(p, len, "nipca", v, sizeof(v))) {
		char maker[96] = "", model[96] = "";

		kv_line(p, len, "brand", maker, sizeof(maker));
		kv_line(p, len, "model", model, sizeof(model));
		who_answers(s, dev, "http/nipca", maker, model);
		return;
	}
	if (memmem(p, len, "GetDeviceInformationResponse>", 29)) {
		char maker[96] = "", model[96] = "";

		ym_sniff_xml_text_after(p, len, ":Manufacturer", maker,
					sizeof(maker));
		ym_sniff_xml_text_after(p, len, ":Model", model, sizeof(model));
		who_answers(s, dev, "http/onvif", maker, model);
	}
}

/* The text before "login:" on one line of a telnet greeting, or, when the
 * prompt stands alone ("login: "), the line before it; false when the line
 * holds no prompt. */
static bool prompt_name(const char *line, const char *prev, char *out,
			size_t outlen)
{
	const char *at = strcasestr(line, "login:");
	size_t n;

	if (!at || strcasestr(line, "last login"))
		return false;
	while (at > line && at[-1] == ' ')
		at--;
	n = (size_t)(at - line);
	if (n == 0) {
		line = prev;
		n = strlen(prev);
	}
	ym_strlcpy_clean(out, line, n, outlen);
	return true;
}

/* The greeting of a device's own FTP server ("220 DCS-930L FTP server
 * ready.") and its telnet login prompt ("IPCam login:", or the line
 * before a bare "login:") name it, read as a name (signal banner). Only
 * the "220" greeting and a prompt line are read, not the lines around
 * them ("Login incorrect"), and not "Last login: ...". Yamori's own
 * password check makes these answers too, with the household's consent. */
void ym_sniff_banner(struct ym_sniff *s, struct ym_device *dev,
			 const struct ym_packet *pkt)
{
	const uint8_t *p = pkt->payload;
	uint32_t len = pkt->payload_len;
	char line[160], prev[160], name[160];
	size_t n = 0;

	if (!ym_addr_is_private(&pkt->src) || len < 4)
		return;
	if (pkt->sport == 21) {
		const uint8_t *eol = p + 4;

		if (!ym_sniff_starts_with(p, len, "220 ") && !ym_sniff_starts_with(p, len, "220-"))
			return;
		while (eol < p + len && *eol != '\r' && *eol != '\n')
			eol++;
		ym_strlcpy_clean(name, (const char *)p + 4,
				 (size_t)(eol - p - 4), sizeof(name));
		ym_identify_signal(s->id, dev, YM_SIG_BANNER, name);
		return;
	}
	/* Telnet: line by line, the option negotiation (IAC ...) left out. */
	prev[0] = '\0';
	for (uint32_t i = 0; i <= len; i++) {
		if (i == len || p[i] == '\r' || p[i] == '\n') {
			line[n] = '\0';
			if (prompt_name(line, prev, name, sizeof(name))) {
				ym_identify_signal(s->id, dev, YM_SIG_BANNER,
						   name);
				return;
			}
			if (n)
				memcpy(prev, line, n + 1);
			n = 0;
			continue;
		}
		if (p[i] == 0xff && i + 1 < len) {
			uint8_t cmd = p[i + 1];

			if (cmd == 0xfa) {
				/* Subnegotiation: to IAC SE. */
				i += 2;
				while (i + 1 < len &&
				       !(p[i] == 0xff && p[i + 1] == 0xf0))
					i++;
				i++;
			} else if (cmd >= 0xfb && cmd <= 0xfe) {
				i += 2; /* WILL, WONT, DO, DONT and an option */
			} else {
				i++; /* a two-byte command, or IAC IAC */
			}
			continue;
		}
		if (p[i] >= 0x20 && p[i] < 0x7f && n + 1 < sizeof(line))
			line[n++] = (char)p[i];
	}
}
