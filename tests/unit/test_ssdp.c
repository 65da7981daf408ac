/* SSDP and UPnP: datagrams, device descriptions, HTTP response heads and
 * description URLs parse to the right fields; garbage is refused; every
 * sample cut at every byte offset is handled without reading past the end
 * (the buffers are exactly as long as the cut, so ASan sees any overread)
 * and never yields a value the whole input does not hold. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ssdp.h"

/* A Sony BRAVIA announcing its renderer. */
static const char notify_bravia[] =
	"NOTIFY * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"CACHE-CONTROL: max-age=1800\r\n"
	"LOCATION: http://192.168.10.50:52323/dmr.xml\r\n"
	"NT: urn:schemas-upnp-org:device:MediaRenderer:1\r\n"
	"NTS: ssdp:alive\r\n"
	"SERVER: Linux/4.9 UPnP/1.0 Sony-BRAVIA/1.0\r\n"
	"USN: uuid:00000000-0000-1010-8000-d8d43c5a1e2f"
	"::urn:schemas-upnp-org:device:MediaRenderer:1\r\n"
	"\r\n";

/* A phone searching, with bare LF line ends, lower-case names and padded
 * values. */
static const char msearch_phone[] =
	"M-SEARCH * HTTP/1.1\n"
	"HOST: 239.255.255.250:1900\n"
	"MAN: \"ssdp:discover\"\n"
	"MX: 1\n"
	"st: \t ssdp:all  \n"
	"user-agent: Android/13 UPnP/1.1 SmartThings/1.7\n"
	"\n";

/* The router answering an M-SEARCH. */
static const char response_router[] =
	"HTTP/1.1 200 OK\r\n"
	"CACHE-CONTROL: max-age=120\r\n"
	"DATE: Sat, 01 Jun 2024 10:00:00 GMT\r\n"
	"EXT:\r\n"
	"LOCATION: http://192.168.10.1:1900/gatedesc.xml\r\n"
	"SERVER: Linux/3.14 UPnP/1.0 IpBridge/1.60\r\n"
	"ST: upnp:rootdevice\r\n"
	"USN: uuid:2f402f80-da50-11e1-9b23-00178829d301::upnp:rootdevice\r\n"
	"\r\n";

/* A renderer's description: a namespace prefix, attributes, entities,
 * numeric references, CDATA, a comment holding a device, a name outside
 * any device, an embedded device before some of the root's fields, and
 * repeated fields (the first one counts). */
static const char desc_bravia[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!-- <device><friendlyName>Commented</friendlyName></device> -->\n"
	"<root xmlns=\"urn:schemas-upnp-org:device-1-0\" "
	"xmlns:u=\"urn:schemas-upnp-org:device-1-0\">\n"
	"  <specVersion><major>1</major><minor>0</minor></specVersion>\n"
	"  <friendlyName>Not in a device</friendlyName>\n"
	"  <u:device>\n"
	"    <u:deviceType>urn:schemas-upnp-org:device:MediaRenderer:1"
	"</u:deviceType>\n"
	"    <friendlyName xml:lang=\"ja\">\n"
	"      Living Room &quot;TV&quot; &amp; Co &#x30c6;&#12524;&#x30D3;\n"
	"    </friendlyName>\n"
	"    <manufacturer><![CDATA[Sony <Corporation>]]></manufacturer>\n"
	"    <deviceList>\n"
	"      <device>\n"
	"        <deviceType>urn:schemas-upnp-org:device:Embedded:1"
	"</deviceType>\n"
	"        <modelName>Embedded model</modelName>\n"
	"        <modelDescription>Embedded description</modelDescription>\n"
	"      </device>\n"
	"    </deviceList>\n"
	"    <modelName note='a>b'>KJ-55X9000F</modelName>\n"
	"    <modelNumber>KJ&#45;55X9000F</modelNumber>\n"
	"    <softwareVersion>PKG6.5612.0245JPA</softwareVersion>\n"
	"    <firmwareVersion>ignored</firmwareVersion>\n"
	"    <friendlyName>Second name</friendlyName>\n"
	"  </u:device>\n"
	"</root>\n";

/* A complete response head and the start of its body. */
static const char head_ok[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: text/xml; charset=\"utf-8\"\r\n"
	"content-length:  1234 \r\n"
	"Server: Linux/4.9 UPnP/1.0 Sony-BRAVIA/1.0\r\n"
	"\r\n"
	"<?xml";

/* An exact-size heap copy lets AddressSanitizer catch overreads. */
static void *dup_exact(const void *src, size_t len)
{
	void *buf = malloc(len ? len : 1);

	assert_non_null(buf);
	memcpy(buf, src, len);
	return buf;
}

static int ssdp_copy(const char *src, size_t len, struct ym_ssdp *out)
{
	uint8_t *buf = dup_exact(src, len);
	int r = ym_ssdp_parse(buf, (uint32_t)len, out);

	free(buf);
	return r;
}

static int upnp_copy(const char *src, size_t len, struct ym_upnp_desc *out)
{
	char *buf = dup_exact(src, len);
	int r = ym_upnp_parse(buf, len, out);

	free(buf);
	return r;
}

static int head_copy(const char *src, size_t len, int *status, long *clen,
		     size_t *body)
{
	char *buf = dup_exact(src, len);
	int r = ym_http_response_head(buf, len, status, clen, body);

	free(buf);
	return r;
}

static int head_str(const char *s, int *status, long *clen, size_t *body)
{
	return head_copy(s, strlen(s), status, clen, body);
}

static void test_notify(void **state)
{
	struct ym_ssdp s;

	(void)state;
	assert_int_equal(ssdp_copy(notify_bravia, strlen(notify_bravia), &s),
			 0);
	assert_int_equal(s.kind, YM_SSDP_NOTIFY);
	assert_string_equal(s.server, "Linux/4.9 UPnP/1.0 Sony-BRAVIA/1.0");
	assert_string_equal(s.location, "http://192.168.10.50:52323/dmr.xml");
	assert_string_equal(s.nt, "urn:schemas-upnp-org:device:MediaRenderer:1");
	assert_string_equal(s.nts, "ssdp:alive");
	assert_string_equal(s.usn,
			    "uuid:00000000-0000-1010-8000-d8d43c5a1e2f"
			    "::urn:schemas-upnp-org:device:MediaRenderer:1");
	assert_string_equal(s.user_agent, "");
}

static void test_msearch(void **state)
{
	struct ym_ssdp s;

	(void)state;
	assert_int_equal(ssdp_copy(msearch_phone, strlen(msearch_phone), &s),
			 0);
	assert_int_equal(s.kind, YM_SSDP_MSEARCH);
	assert_string_equal(s.nt, "ssdp:all");
	assert_string_equal(s.user_agent,
			    "Android/13 UPnP/1.1 SmartThings/1.7");
	assert_string_equal(s.location, "");
}

static void test_response(void **state)
{
	struct ym_ssdp s;

	(void)state;
	assert_int_equal(ssdp_copy(response_router, strlen(response_router),
				   &s),
			 0);
	assert_int_equal(s.kind, YM_SSDP_RESPONSE);
	assert_string_equal(s.nt, "upnp:rootdevice");
	assert_string_equal(s.location,
			    "http://192.168.10.1:1900/gatedesc.xml");
	assert_string_equal(s.server, "Linux/3.14 UPnP/1.0 IpBridge/1.60");
}

static void test_ssdp_values(void **state)
{
	static const char repeated[] =
		"NOTIFY * HTTP/1.1\r\n"
		"SERVER: first\r\n"
		"Server: second\r\n"
		"no colon here\r\n"
		"USN: a\x01" "b\r\n"
		"\r\n"
		"LOCATION: http://192.168.10.9/after-the-blank-line\r\n";
	static const char unterminated[] =
		"NOTIFY * HTTP/1.1\r\n"
		"NTS: ssdp:alive\r\n"
		"LOCATION: http://192.168.10.5";
	struct ym_ssdp s;

	(void)state;
	assert_int_equal(ssdp_copy(repeated, sizeof(repeated) - 1, &s), 0);
	/* The first occurrence wins; control characters are cleaned; the
	 * body after the blank line is not read as headers. */
	assert_string_equal(s.server, "first");
	assert_string_equal(s.usn, "a?b");
	assert_string_equal(s.location, "");
	/* A last line without its line end may be cut short: a truncated
	 * address must not be taken for a real one. */
	assert_int_equal(ssdp_copy(unterminated, sizeof(unterminated) - 1,
				   &s),
			 0);
	assert_string_equal(s.nts, "ssdp:alive");
	assert_string_equal(s.location, "");
}

static void test_ssdp_garbage(void **state)
{
	static const char *const bad[] = {
		"",
		"\r\n",
		"GET / HTTP/1.1\r\nHost: 192.168.10.1\r\n\r\n",
		"NOTIFY * HTTP/1.0\r\n\r\n",
		"notify * HTTP/1.1\r\n\r\n",
		"NOTIFY *  HTTP/1.1\r\n\r\n",
		"HTTP/1.1 404 Not Found\r\n\r\n",
		"NOTIFY * HTTP/1.1x\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
	};
	struct ym_ssdp s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ssdp_copy(bad[i], strlen(bad[i]), &s),
				 -EINVAL);
}

static void test_upnp_description(void **state)
{
	struct ym_upnp_desc d;

	(void)state;
	assert_int_equal(upnp_copy(desc_bravia, strlen(desc_bravia), &d), 0);
	assert_string_equal(d.device_type,
			    "urn:schemas-upnp-org:device:MediaRenderer:1");
	assert_string_equal(d.friendly_name,
			    "Living Room \"TV\" & Co \xe3\x83\x86\xe3\x83\xac"
			    "\xe3\x83\x93");
	assert_string_equal(d.manufacturer, "Sony <Corporation>");
	assert_string_equal(d.model_name, "KJ-55X9000F");
	assert_string_equal(d.model_number, "KJ-55X9000F");
	/* The embedded device's description is not the root's. */
	assert_string_equal(d.model_description, "");
	assert_string_equal(d.firmware, "PKG6.5612.0245JPA");
}

static void test_upnp_malformed(void **state)
{
	static const char unclosed[] =
		"<root><device><manufacturer>ACME"
		"<modelName>Widget</modelName>"
		"<friendlyName>W1</friendlyName></device></root>";
	static const char unclosed_at_end[] =
		"<root><device><manufacturer>ACME Corporation";
	static const char entities[] =
		"<device><friendlyName>a &bogus; &#0; &#x110000; &#xD800; "
		"&#xZ; & &lt;b&gt;&apos;</friendlyName>"
		"<modelName>  </modelName>"
		"<modelName>second</modelName></device>";
	static const char *const none[] = {
		"",
		"<root></root>",
		"<friendlyName>Outside</friendlyName>",
		"<root><device/><friendlyName>After</friendlyName></root>",
		"<!-- <device><friendlyName>x</friendlyName></device>",
		"<device><friendlyName>x</friendlyName",
		"<device><friendlyName attr=\"x>y</friendlyName></device>",
		"<deviceList><deviceType>x</deviceType></deviceList>",
	};
	struct ym_upnp_desc d;

	(void)state;
	/* An element that is never closed gives no value, and what follows
	 * it is still read. */
	assert_int_equal(upnp_copy(unclosed, strlen(unclosed), &d), 0);
	assert_string_equal(d.manufacturer, "");
	assert_string_equal(d.model_name, "Widget");
	assert_string_equal(d.friendly_name, "W1");
	assert_int_equal(upnp_copy(unclosed_at_end, strlen(unclosed_at_end),
				   &d),
			 -EINVAL);
	assert_string_equal(d.manufacturer, "");

	/* Unknown or invalid references stay as text; an empty value does
	 * not count as the first occurrence. */
	assert_int_equal(upnp_copy(entities, strlen(entities), &d), 0);
	assert_string_equal(d.friendly_name,
			    "a &bogus; &#0; &#x110000; &#xD800; &#xZ; & "
			    "<b>'");
	assert_string_equal(d.model_name, "second");

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		assert_int_equal(upnp_copy(none[i], strlen(none[i]), &d),
				 -EINVAL);
}

static void test_upnp_truncated(void **state)
{
	const char *cut = strstr(desc_bravia, "KJ-55X9000F</modelName>");
	struct ym_upnp_desc d;

	(void)state;
	assert_non_null(cut);
	/* Cut inside the model name: the fields before it are there, the
	 * model name is not guessed from half a value. */
	assert_int_equal(upnp_copy(desc_bravia,
				   (size_t)(cut - desc_bravia) + 5, &d),
			 0);
	assert_string_equal(d.manufacturer, "Sony <Corporation>");
	assert_string_equal(d.model_name, "");
	assert_string_equal(d.firmware, "");

	cut = strstr(desc_bravia, "MediaRenderer:1</u:deviceType>");
	assert_non_null(cut);
	assert_int_equal(upnp_copy(desc_bravia, (size_t)(cut - desc_bravia),
				   &d),
			 -EINVAL);
}

static void test_url(void **state)
{
	static const char *const bad[] = {
		"",
		"http://",
		"http:///dmr.xml",
		"https://192.168.10.50/dmr.xml",
		"ftp://192.168.10.50/dmr.xml",
		"http://bravia.local:52323/dmr.xml",
		"http://example.com/",
		"http://192.168.10.50:0/",
		"http://192.168.10.50:65536/",
		"http://192.168.10.50:123456/",
		"http://192.168.10.50:/",
		"http://192.168.10.50:-1/",
		"http://192.168.10.50:80x/",
		"http://192.168.010.50/",
		"http://192.168.10/",
		"http://3232238130/",
		"http://user@192.168.10.50/",
		"http://192.168.10.50@evil/",
		"http://192.168.10.50/a b",
		"http://192.168.10.50/a\tb",
		"http://192.168.10.50/\x7f",
		"http://192.168.10.50/\xc3\xa9",
		"http://192.168.10.50?x",
		"http://[]/",
		"http://[fe80::1/",
		"http://[fe80::1%25eth0]/",
		"http://[192.168.10.50]/",
		"http://[fe80::1]x/",
		" http://192.168.10.50/",
	};
	struct ym_addr a;
	uint16_t port;
	char path[64], small[9];

	(void)state;
	assert_int_equal(ym_url_parse("http://192.168.10.50:52323/dmr.xml", &a,
				      &port, path, sizeof(path)),
			 0);
	assert_int_equal(a.family, 4);
	assert_int_equal(a.a[0], 192);
	assert_int_equal(a.a[3], 50);
	assert_int_equal(port, 52323);
	assert_string_equal(path, "/dmr.xml");

	assert_int_equal(ym_url_parse("HTTP://192.168.10.1", &a, &port, path,
				      sizeof(path)),
			 0);
	assert_int_equal(port, 80);
	assert_string_equal(path, "/");

	assert_int_equal(ym_url_parse("http://192.168.10.1:65535/a?b=c#frag",
				      &a, &port, path, sizeof(path)),
			 0);
	assert_int_equal(port, 65535);
	assert_string_equal(path, "/a?b=c");

	assert_int_equal(ym_url_parse("http://[fe80::1c4b:2a9e]:49152/desc.xml",
				      &a, &port, path, sizeof(path)),
			 0);
	assert_int_equal(a.family, 6);
	assert_int_equal(a.a[0], 0xfe);
	assert_int_equal(a.a[15], 0x9e);
	assert_int_equal(port, 49152);
	assert_string_equal(path, "/desc.xml");

	assert_int_equal(ym_url_parse("http://[2001:db8::5]", &a, &port, path,
				      sizeof(path)),
			 0);
	assert_int_equal(port, 80);
	assert_string_equal(path, "/");

	/* The path must fit, with its NUL. */
	assert_int_equal(ym_url_parse("http://192.168.10.50/dmr.xml", &a,
				      &port, small, 8),
			 -EINVAL);
	assert_int_equal(ym_url_parse("http://192.168.10.50/dmr.xml", &a,
				      &port, small, sizeof(small)),
			 0);
	assert_string_equal(small, "/dmr.xml");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ym_url_parse(bad[i], &a, &port, path,
					      sizeof(path)),
				 -EINVAL);
		assert_int_equal(a.family, 0);
		assert_int_equal(port, 0);
		assert_string_equal(path, "");
	}
}

static void test_http_head(void **state)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n\r\n",
		"G",
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1 999 Odd\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n",
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 99999999999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
		"Content-Length: 6\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
	};
	int status;
	long clen;
	size_t body;

	(void)state;
	assert_int_equal(head_copy(head_ok, sizeof(head_ok) - 1, &status,
				   &clen, &body),
			 0);
	assert_int_equal(status, 200);
	assert_int_equal(clen, 1234);
	assert_int_equal(body, strstr(head_ok, "<?xml") - head_ok);

	/* Bare LF line ends, no Content-Length, no reason phrase. */
	assert_int_equal(head_str("HTTP/1.0 404\nServer: x\n\n", &status,
				  &clen, &body),
			 0);
	assert_int_equal(status, 404);
	assert_int_equal(clen, -1);
	assert_int_equal(body, 24);

	assert_int_equal(head_str("HTTP/1.1 200 OK\r\nContent-Length: "
				  "9223372036854775807\r\n"
				  "Content-Length: 9223372036854775807\r\n\r\n",
				  &status, &clen, &body),
			 0);
	assert_true(clen == 9223372036854775807L);

	assert_int_equal(head_str("", &status, &clen, &body), -EAGAIN);
	assert_int_equal(head_str("HTTP/1.1 200 OK\r\nServer: x\r\n\r",
				  &status, &clen, &body),
			 -EAGAIN);
	assert_int_equal(status, 0);
	assert_int_equal(clen, -1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(head_str(bad[i], &status, &clen, &body),
				 -EINVAL);
}

static void assert_field_cut(const char *cut, const char *whole)
{
	/* A cut input gives a field whole or not at all. */
	if (cut[0] != '\0')
		assert_string_equal(cut, whole);
}

static void test_every_cut(void **state)
{
	static const char *const datagrams[] = {
		notify_bravia,
		msearch_phone,
		response_router,
	};
	const char *desc_end = strstr(desc_bravia, "</u:device>");
	struct ym_upnp_desc dw, dc;
	struct ym_ssdp sw, sc;
	size_t len, head_len;
	int status;
	long clen;
	size_t body;

	(void)state;
	for (size_t s = 0; s < sizeof(datagrams) / sizeof(datagrams[0]);
	     s++) {
		len = strlen(datagrams[s]);
		assert_int_equal(ssdp_copy(datagrams[s], len, &sw), 0);
		for (size_t cut = 0; cut < len; cut++) {
			int r = ssdp_copy(datagrams[s], cut, &sc);

			assert_true(r == 0 || r == -EINVAL);
			if (cut < strcspn(datagrams[s], "\r\n"))
				assert_int_equal(r, -EINVAL);
			if (r < 0)
				continue;
			assert_int_equal(sc.kind, sw.kind);
			assert_field_cut(sc.server, sw.server);
			assert_field_cut(sc.nt, sw.nt);
			assert_field_cut(sc.nts, sw.nts);
			assert_field_cut(sc.usn, sw.usn);
			assert_field_cut(sc.location, sw.location);
			assert_field_cut(sc.user_agent, sw.user_agent);
		}
	}

	len = strlen(desc_bravia);
	assert_non_null(desc_end);
	assert_int_equal(upnp_copy(desc_bravia, len, &dw), 0);
	for (size_t cut = 0; cut < len; cut++) {
		int r = upnp_copy(desc_bravia, cut, &dc);

		assert_true(r == 0 || r == -EINVAL);
		assert_field_cut(dc.device_type, dw.device_type);
		assert_field_cut(dc.friendly_name, dw.friendly_name);
		assert_field_cut(dc.manufacturer, dw.manufacturer);
		assert_field_cut(dc.model_name, dw.model_name);
		assert_field_cut(dc.model_number, dw.model_number);
		assert_field_cut(dc.model_description, dw.model_description);
		assert_field_cut(dc.firmware, dw.firmware);
		/* Once the last field is closed, nothing is missing. */
		if (cut >= (size_t)(desc_end - desc_bravia))
			assert_memory_equal(&dc, &dw, sizeof(dw));
	}

	len = sizeof(head_ok) - 1;
	head_len = (size_t)(strstr(head_ok, "<?xml") - head_ok);
	for (size_t cut = 0; cut < len; cut++) {
		int r = head_copy(head_ok, cut, &status, &clen, &body);

		if (cut < head_len) {
			assert_int_equal(r, -EAGAIN);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(body, head_len);
			assert_int_equal(clen, 1234);
		}
	}

	/* URLs are strings: cut them with their NUL moved in. */
	len = strlen("http://[fe80::1c4b:2a9e]:49152/desc.xml");
	for (size_t cut = 0; cut <= len; cut++) {
		char *u = malloc(cut + 1);
		struct ym_addr a;
		uint16_t port;
		char path[64];
		int r;

		assert_non_null(u);
		memcpy(u, "http://[fe80::1c4b:2a9e]:49152/desc.xml", cut);
		u[cut] = '\0';
		r = ym_url_parse(u, &a, &port, path, sizeof(path));
		assert_true(r == 0 || r == -EINVAL);
		if (r == 0) {
			assert_int_equal(a.family, 6);
			assert_true(port == 49152 || port == 4915 ||
				    port == 491 || port == 49 || port == 4 ||
				    port == 80);
		}
		free(u);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_msearch),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_ssdp_values),
		cmocka_unit_test(test_ssdp_garbage),
		cmocka_unit_test(test_upnp_description),
		cmocka_unit_test(test_upnp_malformed),
		cmocka_unit_test(test_upnp_truncated),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_http_head),
		cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
