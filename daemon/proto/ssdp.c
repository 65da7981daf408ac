#include "ssdp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* Lines read from one SSDP datagram: real announcements carry about ten
 * headers, so anything past this is noise not worth scanning. */
#define SSDP_MAX_LINES 64

/* Header lines accepted in an HTTP response head: description servers send
 * a dozen; a head that keeps going is not one Yamori wants to read. */
#define HTTP_MAX_HEADERS 100

/* Decoded bytes kept per UPnP field before cleaning: four times the largest
 * field, so entities and whitespace cannot make a value lose its end. */
#define UPNP_MAX_VALUE 512

/* Longest entity reference decoded, "&#x10FFFF;" plus room for leading
 * zeros; anything longer is kept as text. */
#define XML_MAX_ENTITY 16

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Compares n bytes of s with word, ignoring ASCII case only: strncasecmp
 * follows the locale, and protocol keywords do not. */
static bool word_eq(const char *s, size_t n, const char *word)
{
	if (n != strlen(word))
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(s[i]) != ascii_lower(word[i]))
			return false;
	return true;
}

/* Compares n bytes of s with word exactly. */
static bool bytes_eq(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank((*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*s)[*n - 1]))
		(*n)--;
}

/* One line of a text protocol, without its LF or CR LF. */
struct line {
	const char *s;
	size_t n;
	bool complete; /* false when the input ended before the LF */
};

/* Reads the line at *off in buf[0, len) and moves *off past it; false when
 * nothing is left. */
static bool next_line(const char *buf, size_t len, size_t *off,
		      struct line *l)
{
	const char *start, *lf;
	size_t rest;

	if (*off >= len)
		return false;
	start = buf + *off;
	rest = len - *off;
	lf = memchr(start, '\n', rest);
	if (lf) {
		l->n = (size_t)(lf - start);
		l->complete = true;
		*off += l->n + 1;
	} else {
		l->n = rest;
		l->complete = false;
		*off = len;
	}
	l->s = start;
	if (l->n > 0 && start[l->n - 1] == '\r')
		l->n--;
	return true;
}

/* Splits "Name: value" into a trimmed name and value; false without a
 * colon. */
static bool split_header(const struct line *l, const char **name,
			 size_t *name_len, const char **value,
			 size_t *value_len)
{
	const char *colon = memchr(l->s, ':', l->n);

	if (!colon)
		return false;
	*name = l->s;
	*name_len = (size_t)(colon - l->s);
	*value = colon + 1;
	*value_len = l->n - *name_len - 1;
	trim(name, name_len);
	trim(value, value_len);
	return true;
}

int ym_ssdp_parse(const uint8_t *p, uint32_t len, struct ym_ssdp *out)
{
	const char *buf = (const char *)p;
	size_t off = 0;
	struct line l;

	memset(out, 0, sizeof(*out));
	if (!next_line(buf, len, &off, &l))
		return -EINVAL;
	if (bytes_eq(l.s, l.n, "NOTIFY * HTTP/1.1"))
		out->kind = YM_SSDP_NOTIFY;
	else if (bytes_eq(l.s, l.n, "M-SEARCH * HTTP/1.1"))
		out->kind = YM_SSDP_MSEARCH;
	else if (bytes_eq(l.s, l.n, "HTTP/1.1 200 OK"))
		out->kind = YM_SSDP_RESPONSE;
	else
		return -EINVAL;

	for (int n = 0; n < SSDP_MAX_LINES && next_line(buf, len, &off, &l);
	     n++) {
		const char *name, *value;
		size_t name_len, value_len;
		char *dst = NULL;
		size_t dstlen = 0;

		/* A line without its line end may have been cut short, and a
		 * truncated LOCATION would point somewhere else. */
		if (l.n == 0 || !l.complete)
			break;
		/* A line without a colon is skipped, not fatal: some
		 * devices end the datagram with stray bytes. */
		if (!split_header(&l, &name, &name_len, &value, &value_len))
			continue;
		if (word_eq(name, name_len, "SERVER")) {
			dst = out->server;
			dstlen = sizeof(out->server);
		} else if (word_eq(name, name_len, "NT") ||
			   word_eq(name, name_len, "ST")) {
			dst = out->nt;
			dstlen = sizeof(out->nt);
		} else if (word_eq(name, name_len, "NTS")) {
			dst = out->nts;
			dstlen = sizeof(out->nts);
		} else if (word_eq(name, name_len, "USN")) {
			dst = out->usn;
			dstlen = sizeof(out->usn);
		} else if (word_eq(name, name_len, "LOCATION")) {
			dst = out->location;
			dstlen = sizeof(out->location);
		} else if (word_eq(name, name_len, "USER-AGENT")) {
			dst = out->user_agent;
			dstlen = sizeof(out->user_agent);
		}
		/* The first occurrence wins, so a repeated header cannot
		 * replace what the device said first. */
		if (dst && dst[0] == '\0')
			ym_strlcpy_clean(dst, value, value_len, dstlen);
	}
	return 0;
}

/* Parses a Content-Length value: digits only, no sign, no spaces inside,
 * and no overflow. */
static int parse_length(const char *s, size_t n, long *out)
{
	long v = 0;

	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int d;

		if (!is_digit(s[i]))
			return -EINVAL;
		d = s[i] - '0';
		if (v > (LONG_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Checks "HTTP/1.x NNN" with an optional reason phrase; returns the status
 * code or -EINVAL. */
static int parse_status_line(const struct line *l)
{
	const char *s = l->s;

	if (l->n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit(s[7]) ||
	    s[8] != ' ' || !is_digit(s[9]) || !is_digit(s[10]) ||
	    !is_digit(s[11]) || (l->n > 12 && s[12] != ' '))
		return -EINVAL;
	if (s[9] < '1' || s[9] > '5')
		return -EINVAL;
	return (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
}

int ym_http_response_head(const char *buf, size_t len, int *status,
			  long *content_length, size_t *body_off)
{
	static const char proto[] = "HTTP/1.";
	size_t off = 0, prefix = len < 7 ? len : 7;
	long clen = -1;
	struct line l;
	int code;

	*status = 0;
	*content_length = -1;
	*body_off = 0;
	/* Refuse what can never become HTTP as soon as it arrives, so the
	 * caller does not wait for a head that will not come. */
	if (prefix > 0 && memcmp(buf, proto, prefix) != 0)
		return -EINVAL;
	if (!next_line(buf, len, &off, &l) || !l.complete)
		return -EAGAIN;
	code = parse_status_line(&l);
	if (code < 0)
		return code;
	for (int n = 0;; n++) {
		const char *name, *value;
		size_t name_len, value_len;

		if (!next_line(buf, len, &off, &l) || !l.complete)
			return -EAGAIN;
		if (l.n == 0)
			break;
		if (n >= HTTP_MAX_HEADERS)
			return -EINVAL;
		if (memchr(l.s, '\0', l.n) ||
		    !split_header(&l, &name, &name_len, &value, &value_len))
			return -EINVAL;
		if (word_eq(name, name_len, "Content-Length")) {
			long v;

			/* Two different lengths mean two readings of the
			 * body: refuse the message rather than pick one. */
			if (parse_length(value, value_len, &v) < 0 ||
			    (clen >= 0 && v != clen))
				return -EINVAL;
			clen = v;
		}
	}
	*status = code;
	*content_length = clen;
	*body_off = off;
	return 0;
}

/* Parses 1 to 5 digits of a port in 1..65535 at *s and moves *s past
 * them. */
static int parse_port(const char **s, uint16_t *port)
{
	unsigned long v = 0;
	int n = 0;

	while (is_digit(**s)) {
		if (++n > 5)
			return -EINVAL;
		v = v * 10 + (unsigned long)(**s - '0');
		(*s)++;
	}
	if (n == 0 || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int ym_url_parse(const char *url, struct ym_addr *addr, uint16_t *port,
		 char *path, size_t pathlen)
{
	char host[YM_ADDR_STRLEN];
	uint8_t a[16];
	struct ym_addr parsed;
	uint16_t p = 80;
	const char *s, *end;
	size_t n, hostlen;

	memset(addr, 0, sizeof(*addr));
	*port = 0;
	if (pathlen > 0)
		path[0] = '\0';
	/* Spaces, control characters and raw non-ASCII bytes have no place
	 * in a URL a device hands out; refusing them keeps the request line
	 * Yamori sends well-formed. */
	for (n = 0; url[n]; n++)
		if ((unsigned char)url[n] <= 0x20 ||
		    (unsigned char)url[n] >= 0x7f)
			return -EINVAL;
	if (n < 7 || !word_eq(url, 7, "http://"))
		return -EINVAL;
	s = url + 7;
	memset(&parsed, 0, sizeof(parsed));
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return -EINVAL;
		hostlen = (size_t)(end - s - 1);
		if (hostlen == 0 || hostlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hostlen);
		host[hostlen] = '\0';
		if (inet_pton(AF_INET6, host, a) != 1)
			return -EINVAL;
		ym_addr_set6(&parsed, a);
		s = end + 1;
	} else {
		/* Only a dotted IPv4 literal: a name would need resolving,
		 * and Yamori never resolves a name a device gave it. */
		hostlen = strcspn(s, ":/?#");
		if (hostlen == 0 || hostlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hostlen);
		host[hostlen] = '\0';
		if (inet_pton(AF_INET, host, a) != 1)
			return -EINVAL;
		ym_addr_set4(&parsed, a);
		s += hostlen;
	}
	if (*s == ':') {
		s++;
		if (parse_port(&s, &p) < 0)
			return -EINVAL;
	}
	if (*s == '\0') {
		s = "/";
		n = 1;
	} else if (*s == '/') {
		/* The fragment is never sent to the server. */
		n = strcspn(s, "#");
	} else {
		return -EINVAL;
	}
	if (n >= pathlen)
		return -EINVAL;
	memcpy(path, s, n);
	path[n] = '\0';
	*addr = parsed;
	*port = p;
	return 0;
}

/* UPnP descriptions: a scanner over tags, not a tree. */

enum markup {
	MK_END = 0, /* the input ended inside the markup */
	MK_TAG,     /* a start, end or empty-element tag */
	MK_OTHER,   /* a comment, CDATA section, declaration or PI */
};

struct tag {
	const char *name; /* local name, without a namespace prefix */
	size_t name_len;
	bool end;         /* </name> */
	bool empty;       /* <name/> */
};

static bool starts_with(const char *s, size_t len, size_t off,
			const char *lit)
{
	size_t n = strlen(lit);

	return off <= len && len - off >= n && memcmp(s + off, lit, n) == 0;
}

/* Returns the offset of the first lit in s[from, len), or len. */
static size_t find(const char *s, size_t len, size_t from, const char *lit)
{
	size_t n = strlen(lit);

	while (from < len && len - from >= n) {
		const char *c = memchr(s + from, lit[0], len - from);

		if (!c)
			break;
		from = (size_t)(c - s);
		if (len - from < n)
			break;
		if (memcmp(c, lit, n) == 0)
			return from;
		from++;
	}
	return len;
}

/* Moves *off past the markup starting at s[*off] == '<'. Comments, CDATA,
 * declarations and processing instructions are skipped whole, so a tag
 * inside them is never seen. */
static enum markup read_markup(const char *s, size_t len, size_t *off,
			       struct tag *t)
{
	static const struct {
		const char *open, *close;
	} skip[] = {
		{ "<!--", "-->" },
		{ "<![CDATA[", "]]>" },
		{ "<?", "?>" },
		{ "<!", ">" },
	};
	size_t i = *off, start;

	for (size_t k = 0; k < YM_ARRAY_SIZE(skip); k++) {
		size_t e;

		if (!starts_with(s, len, i, skip[k].open))
			continue;
		e = find(s, len, i + strlen(skip[k].open), skip[k].close);
		if (e == len)
			return MK_END;
		*off = e + strlen(skip[k].close);
		return MK_OTHER;
	}
	memset(t, 0, sizeof(*t));
	i++;
	if (i < len && s[i] == '/') {
		t->end = true;
		i++;
	}
	start = i;
	while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
	       s[i] != '\n' && s[i] != '/' && s[i] != '>')
		i++;
	t->name = s + start;
	t->name_len = i - start;
	/* Attribute values may hold '>' inside their quotes. */
	while (i < len && s[i] != '>') {
		if (s[i] == '"' || s[i] == '\'') {
			const char *q = memchr(s + i + 1, s[i], len - i - 1);

			if (!q)
				return MK_END;
			i = (size_t)(q - s);
		}
		i++;
	}
	if (i >= len)
		return MK_END;
	t->empty = !t->end && s[i - 1] == '/';
	*off = i + 1;
	for (size_t k = t->name_len; k > 0; k--) {
		if (t->name[k - 1] == ':') {
			t->name += k;
			t->name_len -= k;
			break;
		}
	}
	return MK_TAG;
}

/* A bounded buffer for a field's decoded text. */
struct text {
	char s[UPNP_MAX_VALUE];
	size_t n;
};

/* Appends bytes, turning line breaks and tabs into spaces so a value that
 * spans lines reads as one line; bytes past the bound are dropped. */
static void text_add(struct text *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n && t->n < sizeof(t->s); i++) {
		char c = s[i];

		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		t->s[t->n++] = c;
	}
}

static void text_add_cp(struct text *t, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	/* A character that does not fit whole is dropped whole. */
	if (t->n + n <= sizeof(t->s))
		text_add(t, u, n);
}

/* Decodes "&#NN;" or "&#xNN;" (the part between '&' and ';'); -1 when it
 * is not a valid character reference. */
static long char_ref(const char *s, size_t n)
{
	unsigned long v = 0;
	int base = 10;
	size_t i = 1;

	if (n < 2 || s[0] != '#')
		return -1;
	if (s[1] == 'x' || s[1] == 'X') {
		base = 16;
		i = 2;
	}
	if (i >= n)
		return -1;
	for (; i < n; i++) {
		int d;
		char c = ascii_lower(s[i]);

		if (is_digit(c))
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		v = v * (unsigned long)base + (unsigned long)d;
		if (v > 0x10ffff)
			return -1;
	}
	if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	return (long)v;
}

/* Decodes the entity at s[off] == '&' into t and returns the bytes it
 * used; an unknown or unterminated entity is kept as a literal '&'. */
static size_t read_entity(const char *s, size_t len, size_t off,
			  struct text *t)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' },
		{ "quot", '"' }, { "apos", '\'' },
	};
	size_t max = len - off < XML_MAX_ENTITY ? len - off : XML_MAX_ENTITY;
	const char *semi = memchr(s + off, ';', max);
	const char *name = s + off + 1;
	size_t n;
	long cp;

	if (!semi) {
		text_add(t, "&", 1);
		return 1;
	}
	n = (size_t)(semi - name);
	for (size_t k = 0; k < YM_ARRAY_SIZE(named); k++) {
		if (bytes_eq(name, n, named[k].name)) {
			text_add(t, &named[k].c, 1);
			return n + 2;
		}
	}
	cp = char_ref(name, n);
	if (cp < 0) {
		text_add(t, "&", 1);
		return 1;
	}
	text_add_cp(t, (uint32_t)cp);
	return n + 2;
}

/* Reads the text of the leaf element opened by open, up to its end tag,
 * decoding entities and CDATA. The value is stored (trimmed and cleaned)
 * only when the element is closed by its own end tag: text cut short by
 * other markup or by the end of the input is not trusted as a value. *off
 * is left at the markup that ended the text, for the caller to read. */
static bool read_text(const char *s, size_t len, size_t *off,
		      const struct tag *open, char *dst, size_t dstlen)
{
	struct text t = { .n = 0 };
	size_t i = *off;

	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		size_t stop = lt ? (size_t)(lt - s) : len, at;
		struct tag close;
		const char *v;
		size_t vn;

		while (i < stop) {
			const char *amp = memchr(s + i, '&', stop - i);
			size_t plain = amp ? (size_t)(amp - s) - i : stop - i;

			text_add(&t, s + i, plain);
			i += plain;
			if (amp)
				i += read_entity(s, stop, i, &t);
		}
		if (i >= len)
			break;
		if (starts_with(s, len, i, "<![CDATA[")) {
			size_t e = find(s, len, i + 9, "]]>");

			if (e == len)
				break;
			text_add(&t, s + i + 9, e - i - 9);
			i = e + 3;
			continue;
		}
		if (starts_with(s, len, i, "<!--")) {
			size_t e = find(s, len, i + 4, "-->");

			if (e == len)
				break;
			i = e + 3;
			continue;
		}
		at = i;
		if (read_markup(s, len, &i, &close) != MK_TAG || !close.end ||
		    close.name_len != open->name_len ||
		    memcmp(close.name, open->name, open->name_len) != 0) {
			*off = at;
			return false;
		}
		*off = i;
		v = t.s;
		vn = t.n;
		while (vn > 0 && v[0] == ' ') {
			v++;
			vn--;
		}
		while (vn > 0 && v[vn - 1] == ' ')
			vn--;
		ym_strlcpy_clean(dst, v, vn, dstlen);
		return dst[0] != '\0';
	}
	*off = len;
	return false;
}

#define UPNP_FIELD(name, member)                                   \
	{ name, offsetof(struct ym_upnp_desc, member),             \
	  sizeof(((struct ym_upnp_desc *)0)->member) }

static const struct {
	const char *name;
	size_t off, size;
} upnp_fields[] = {
	UPNP_FIELD("deviceType", device_type),
	UPNP_FIELD("friendlyName", friendly_name),
	UPNP_FIELD("manufacturer", manufacturer),
	UPNP_FIELD("modelName", model_name),
	UPNP_FIELD("modelNumber", model_number),
	UPNP_FIELD("modelDescription", model_description),
	UPNP_FIELD("softwareVersion", firmware),
	UPNP_FIELD("firmwareVersion", firmware),
};

int ym_upnp_parse(const char *xml, size_t len, struct ym_upnp_desc *out)
{
	size_t off = 0, depth = 0;
	bool found = false;

	memset(out, 0, sizeof(*out));
	/* Each pass moves off forward by at least one byte. */
	while (off < len) {
		const char *lt = memchr(xml + off, '<', len - off);
		struct tag t;
		enum markup m;

		if (!lt)
			break;
		off = (size_t)(lt - xml);
		m = read_markup(xml, len, &off, &t);
		if (m == MK_END)
			break;
		if (m != MK_TAG)
			continue;
		if (bytes_eq(t.name, t.name_len, "device")) {
			/* Embedded devices nest inside the first one; only
			 * the first device's own fields are read. */
			if (t.empty) {
				if (depth == 0)
					break;
			} else if (t.end) {
				if (depth > 0 && --depth == 0)
					break;
			} else {
				depth++;
			}
			continue;
		}
		if (depth != 1 || t.end || t.empty)
			continue;
		for (size_t k = 0; k < YM_ARRAY_SIZE(upnp_fields); k++) {
			char *dst = (char *)out + upnp_fields[k].off;

			if (!bytes_eq(t.name, t.name_len, upnp_fields[k].name))
				continue;
			/* The first occurrence wins. */
			if (dst[0] == '\0' &&
			    read_text(xml, len, &off, &t, dst,
				      upnp_fields[k].size))
				found = true;
			break;
		}
	}
	return found ? 0 : -EINVAL;
}
