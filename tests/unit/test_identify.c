/* Identification: rules load with their sources or are refused with the
 * file and line; evidence from matching signals decides type, vendor and
 * model; one weak signal never names a type; an implausible vendor lowers
 * the confidence; repeated signals do not stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <time.h>

#include <cmocka.h>

#include "device.h"
#include "identify.h"
#include "p0f.h"

static char dir[64];

static void write_rules(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ym-rules-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static const char *good =
	"# cameras\n"
	"dns_query *.tplinkcloud.com vendor=TP-Link weight=0.5 source=x\n"
	"dhcp_hostname Tapo_* type=camera vendor=TP-Link model=\"Tapo $1\" "
	"weight=0.6 source=x\n"
	"dhcp_hostname Tapo_* model=$1 weight=0.6 source=x\n"
	"mdns_service _ipp._tcp type=printer weight=0.6 source=iana\n"
	"mdns_txt \"ty=Brother *\" type=printer vendor=Brother model=$1 "
	"weight=0.9 source=x\n"
	"mdns_service _airplay._tcp type=tv weight=0.3 source=x\n"
	"oui \"Brother Industries*\" vendor=Brother type=printer weight=0.6 "
	"source=ieee-oui\n"
	"oui \"Nintendo*\" vendor=Nintendo type=game_console weight=0.6 "
	"source=ieee-oui\n"
	"plausible Nintendo game_console source=x\n"
	"ssdp_server *Sony-BRAVIA/?.* type=tv vendor=Sony weight=0.8 source=x\n";

static struct ym_identify *load(void)
{
	struct ym_identify *id;
	char err[256] = "";

	write_rules("a.rules", good);
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_identify_rule_count(id), 9);
	return id;
}

static void test_bad_rules(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "colour x type=tv source=y\n", ":1: unknown signal 'colour'" },
		{ "\noui x type=fridge source=y\n", ":2: unknown type 'fridge'" },
		{ "oui x type=tv\n", "needs source=" },
		{ "oui x type=tv weight=2 source=y\n", "weight must be" },
		{ "oui x source=y\n", "must conclude" },
		{ "oui \"x type=tv source=y\n", "unclosed quote" },
		{ "oui x kind=tv source=y\n", "unknown key 'kind'" },
		{ "plausible Sony tv\n", "expected 'plausible" },
		{ "oui x vendor=A mac=zz source=y\n", "mac= wants" },
		{ "oui x vendor=A mac=12 source=y\n", "mac= wants" },
		{ "module Espressif\n", "expected 'module" },
		{ "model_name *HS1* type=toaster source=y\n",
		  "unknown type 'toaster'" },
	};
	struct ym_identify *id;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_rules("z.rules", bad[i].text);
		err[0] = '\0';
		assert_true(ym_identify_init(&id, dir, err, sizeof(err)) < 0);
		assert_non_null(strstr(err, "z.rules"));
		if (!strstr(err, bad[i].needle))
			fail_msg("'%s' lacks '%s'", err, bad[i].needle);
	}
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/z.rules", dir);
		unlink(path);
	}
	assert_int_equal(ym_identify_init(&id, "/nonexistent", err,
					  sizeof(err)),
			 -ENOENT);
}

/* Resident memory in kB, from /proc/self/statm. */
static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void new_device(struct ym_device *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->type, sizeof(d->type), "unknown");
}

static void test_two_signals_name_a_camera(void **state)
{
	struct ym_identify *id = load();
	struct ym_device d;

	(void)state;
	new_device(&d);
	/* A cloud lookup alone gives the maker, not the type. */
	ym_identify_signal(id, &d, YM_SIG_DNS_QUERY, "n-devs.tplinkcloud.com");
	assert_string_equal(d.vendor, "TP-Link");
	assert_string_equal(d.type, "unknown");
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, "Tapo_C200");
	assert_string_equal(d.type, "camera");
	assert_string_equal(d.model, "Tapo C200");
	assert_true(d.confidence >= 0.5 && d.confidence < 0.8);
	/* Evidence says why, in words. */
	assert_string_equal(d.evidence[1].signal, "dhcp_hostname");
	assert_non_null(strstr(d.evidence[1].conclusion, "type camera"));
	ym_identify_fini(id);
}

static void test_one_weak_signal_is_not_enough(void **state)
{
	struct ym_identify *id = load();
	struct ym_device d;

	(void)state;
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_MDNS_SERVICE, "_ipp._tcp");
	assert_string_equal(d.type, "unknown");
	assert_true(d.confidence < 0.5);
	/* A strong model-bearing TXT record settles it. */
	ym_identify_signal(id, &d, YM_SIG_MDNS_TXT,
			   "ty=Brother HL-L2350DW series");
	assert_string_equal(d.type, "printer");
	assert_string_equal(d.vendor, "Brother");
	assert_string_equal(d.model, "HL-L2350DW series");
	assert_true(d.confidence >= 0.9);
	ym_identify_fini(id);
}

static void test_repeats_do_not_stack(void **state)
{
	struct ym_identify *id = load();
	struct ym_device d;
	uint8_t n;

	(void)state;
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_DNS_QUERY, "a.tplinkcloud.com");
	n = d.n_evidence;
	for (int i = 0; i < 100; i++)
		ym_identify_signal(id, &d, YM_SIG_DNS_QUERY,
				   "a.tplinkcloud.com");
	assert_int_equal(d.n_evidence, n);
	/* Another name of the same cloud is new evidence of the same kind:
	 * it does not raise the type above one signal's worth. */
	ym_identify_signal(id, &d, YM_SIG_DNS_QUERY, "b.tplinkcloud.com");
	assert_string_equal(d.type, "unknown");
	ym_identify_fini(id);
}

static void test_implausible_vendor(void **state)
{
	struct ym_identify *id = load();
	struct ym_device a, b;

	(void)state;
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_OUI, "Nintendo Co.,Ltd");
	ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, "Tapo_C100");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_OUI, "Brother Industries, LTD.");
	ym_identify_signal(id, &b, YM_SIG_MDNS_SERVICE, "_ipp._tcp");
	assert_string_equal(b.type, "printer");
	/* Nintendo does not make cameras: whatever wins is less sure. */
	assert_true(a.confidence < 0.5);
	assert_true(b.confidence > a.confidence);
	ym_identify_fini(id);
}

static void test_registry_name_without_rule(void **state)
{
	struct ym_identify *id = load();
	struct ym_device d;

	(void)state;
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI, "Intel Corporate");
	assert_string_equal(d.vendor, "Intel Corporate");
	assert_string_equal(d.type, "unknown");
	/* Names are kept as evidence even without a rule. */
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, "taro-laptop");
	assert_string_equal(d.evidence[d.n_evidence - 1].value, "taro-laptop");
	/* The gateway assertion names a router on its own. */
	ym_identify_assert(id, &d, YM_SIG_GATEWAY, "named router by DHCP",
			   "router", 0.95f);
	assert_string_equal(d.type, "router");
	ym_identify_assert(id, &d, YM_SIG_GATEWAY, "", NULL, 0);
	assert_string_equal(d.type, "unknown");
	/* Without the company form, and never cut inside a word (the field
	 * holds 31 characters); the evidence keeps the registry's words. */
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI,
			   "Hi-flying electronics technology Co.,Ltd");
	assert_string_equal(d.vendor, "Hi-flying electronics");
	assert_string_equal(d.evidence[0].value,
			    "Hi-flying electronics technology Co.,Ltd");
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI, "ASSMANN Electronic GmbH");
	assert_string_equal(d.vendor, "ASSMANN Electronic");
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI, "Inc.");
	assert_string_equal(d.vendor, "Inc.");
	ym_identify_fini(id);
}

static void test_glob(void **state)
{
	struct ym_identify *id = load();
	struct ym_device a, b;

	(void)state;
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_SSDP_SERVER,
			   "Linux/4.9 UPnP/1.0 Sony-BRAVIA/1.0");
	assert_string_equal(a.type, "tv");
	assert_string_equal(a.vendor, "Sony");
	new_device(&b);
	/* '?' stands for exactly one character. */
	ym_identify_signal(id, &b, YM_SIG_SSDP_SERVER,
			   "Linux UPnP/1.0 Sony-BRAVIA/10.0");
	assert_string_equal(b.type, "unknown");
	/* Case does not matter; the suffix must match whole. */
	ym_identify_signal(id, &b, YM_SIG_DNS_QUERY, "N-DEVS.TPLINKCLOUD.COM");
	assert_string_equal(b.vendor, "TP-Link");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_DNS_QUERY, "tplinkcloud.com.evil");
	assert_string_equal(b.vendor, "");
	ym_identify_fini(id);
}

static void test_hostile_values(void **state)
{
	struct ym_identify *id = load();
	struct ym_device d;
	char big[4096];

	(void)state;
	new_device(&d);
	memset(big, '*', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, big);
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, "Tapo_\x01\xff\xfe");
	/* Many distinct names never overflow the evidence list. */
	for (int i = 0; i < 500; i++) {
		char name[32];

		snprintf(name, sizeof(name), "Tapo_%d", i);
		ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, name);
	}
	assert_true(d.n_evidence <= YM_MAX_EVIDENCE);
	/* Five hundred hostnames are still one kind of signal. */
	assert_string_equal(d.type, "unknown");
	for (uint8_t i = 0; i < d.n_evidence; i++)
		assert_true(strlen(d.evidence[i].value) < YM_MAX_NAME);
	ym_identify_fini(id);
}

static void test_mac_prefix(void **state)
{
	struct ym_identify *id;
	struct ym_device a, b;
	char err[256] = "";

	(void)state;
	write_rules("a.rules", "dhcp_hostname hs* vendor=TP-Link weight=0.6 "
			       "mac=50C7BF* source=ha\n"
			       "oui * vendor=Insteon mac=00:0e:f3 source=ha\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&a);
	memcpy(a.mac, "\x50\xc7\xbf\x01\x02\x03", 6);
	ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, "HS110");
	assert_string_equal(a.vendor, "TP-Link");
	new_device(&b);
	memcpy(b.mac, "\x50\xc7\xbe\x01\x02\x03", 6);
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "HS110");
	assert_string_equal(b.vendor, "");
	memcpy(b.mac, "\x00\x0e\xf3\x01\x02\x03", 6);
	ym_identify_signal(id, &b, YM_SIG_OUI, "Some Registry Name");
	assert_string_equal(b.vendor, "Insteon");
	ym_identify_fini(id);
}

static void test_maker_over_module(void **state)
{
	struct ym_identify *id;
	struct ym_device d;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "module \"Espressif*\" source=x\n"
		    "module Tuya platform source=x\n"
		    "oui \"Espressif Inc.\" vendor=Espressif weight=0.5 "
		    "source=x\n"
		    "dhcp_hostname ESP_* vendor=Espressif weight=0.5 source=x\n"
		    "dns_query *.tuyaeu.com vendor=Tuya weight=0.35 source=x\n"
		    "device_name gosund* vendor=Gosund weight=0.6 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI, "Espressif Inc.");
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, "ESP_3A1F2C");
	assert_string_equal(d.vendor, "Espressif");
	/* The platform's cloud beats the module's name ... */
	ym_identify_signal(id, &d, YM_SIG_DNS_QUERY, "a1.tuyaeu.com");
	assert_string_equal(d.vendor, "Tuya");
	/* ... and the brand's own name beats both. */
	ym_identify_signal(id, &d, YM_SIG_MDNS_NAME, "gosund-sp1");
	assert_string_equal(d.vendor, "Gosund");
	/* The module stays as evidence. */
	assert_string_equal(d.evidence[0].signal, "oui");
	ym_identify_fini(id);
}

static void test_model_names(void **state)
{
	struct ym_identify *id;
	struct ym_device a, b, c;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "model_name *DCH-S150* vendor=D-Link type=sensor "
		    "model=DCH-S150 weight=0.8 source=x\n"
		    "device_name *plug* type=smart_plug weight=0.7 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_UPNP_MODEL, "DCH-S150 A1");
	assert_string_equal(a.type, "sensor");
	assert_string_equal(a.vendor, "D-Link");
	assert_string_equal(a.model, "DCH-S150");
	assert_string_equal(a.evidence[0].signal, "upnp_model");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_MDNS_NAME, "DCH-S150-0A3F");
	assert_string_equal(b.type, "sensor");
	/* A looked-up name is no model the device gives itself. */
	new_device(&c);
	ym_identify_signal(id, &c, YM_SIG_DNS_QUERY, "dch-s150.example.com");
	assert_string_equal(c.type, "unknown");
	/* Product words read only in the device's own names, and alone
	 * they are not confident. */
	ym_identify_signal(id, &c, YM_SIG_HTTP_USER_AGENT, "plugin/1.0");
	assert_string_equal(c.type, "unknown");
	ym_identify_signal(id, &c, YM_SIG_DHCP_HOSTNAME, "Smart_Plug_1A2B");
	assert_string_equal(c.type, "smart_plug");
	assert_true(c.confidence < 0.8);
	ym_identify_fini(id);

	/* A TXT value read as the model must be one: AirPlay's md=0,1,2
	 * lists the metadata it takes; Google Cast's md= is a model. */
	write_rules("a.rules",
		    "mdns_txt md=* model=$1 weight=0.5 source=x\n"
		    "mdns_txt model=AppleTV* vendor=Apple type=streaming "
		    "weight=0.9 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_MDNS_TXT, "model=AppleTV5,3");
	ym_identify_signal(id, &a, YM_SIG_MDNS_TXT, "md=0,1,2");
	assert_string_equal(a.type, "streaming");
	assert_string_equal(a.model, "");
	for (uint8_t i = 0; i < a.n_evidence; i++)
		assert_string_not_equal(a.evidence[i].value, "md=0,1,2");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_MDNS_TXT, "md=Chromecast Ultra");
	assert_string_equal(b.model, "Chromecast Ultra");
	ym_identify_fini(id);

	/* A model is written with or without its '-', '_', ' ' or '.':
	 * "SP1101W" and "HS-110" are the families "*SP-1101W*" and
	 * "*HS110*"; a pattern without a digit ("DCS-*") is not loosened,
	 * so "DCSwhatever" stays unnamed. */
	write_rules("a.rules",
		    "model_name *SP-1101W* vendor=Edimax type=smart_plug "
		    "model=SP-1101W weight=0.8 source=x\n"
		    "model_name *HS110* vendor=TP-Link type=smart_plug "
		    "model=HS110 weight=0.8 source=x\n"
		    "model_name DCS-* vendor=D-Link type=camera weight=0.75 "
		    "source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, "SP1101W");
	assert_string_equal(a.model, "SP-1101W");
	assert_string_equal(a.type, "smart_plug");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_MDNS_NAME, "HS-110.A1B2");
	assert_string_equal(b.model, "HS110");
	new_device(&c);
	ym_identify_signal(id, &c, YM_SIG_DHCP_HOSTNAME, "DCSwhatever");
	assert_string_equal(c.type, "unknown");
	ym_identify_fini(id);
}

/* A model read out of a name loses the MAC fragment the device appended,
 * but not its own number. */
static void test_model_without_mac_suffix(void **state)
{
	struct ym_identify *id;
	struct ym_device a, b;
	char err[256] = "";

	(void)state;
	write_rules("a.rules", "model_name DCS-* vendor=D-Link type=camera "
			       "model=DCS-$1 weight=0.75 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_MDNS_NAME, "DCS-930L-A1B2");
	assert_string_equal(a.model, "DCS-930L");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "DCS-2130");
	assert_string_equal(b.model, "DCS-2130");
	ym_identify_fini(id);
}

/* Two rules that read the same kind in one name: the stronger counts,
 * whichever comes later in the files ("*ipcam*" before "*cam"). */
static void test_stronger_rule_counts(void **state)
{
	struct ym_identify *id;
	struct ym_device a;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "device_name *ipcam* type=camera weight=0.7 source=x\n"
		    "device_name *cam type=camera weight=0.6 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, "ipcam");
	assert_int_equal(a.n_evidence, 1);
	assert_true(a.evidence[0].weight > 0.69f);
	assert_string_equal(a.type, "camera");
	assert_true(a.confidence > 0.69f);
	ym_identify_fini(id);
}

/* A maker's word inside a longer text names the maker only as a word of
 * its own: a household's "Carlos-PC" is no Arlo camera, "ecosystem" no
 * Kyocera printer; a capital, a digit or a separator ends or starts the
 * word ("MyArlo", "EPSONA1B2C3", "Arlo_Pro"). Kind words without a maker
 * and model numbers are still found inside names ("doorsensor"). */
static void test_maker_word_stands_alone(void **state)
{
	static const struct {
		const char *name, *vendor, *type;
	} cases[] = {
		{ "Carlos-PC", "", "unknown" },
		{ "CARLOS-PC", "", "unknown" },
		{ "ecosystem-pi", "", "unknown" },
		{ "ECOSYS M2040dn", "Kyocera", "printer" },
		{ "Arlo_Pro", "Arlo", "camera" },
		{ "MyArlo", "Arlo", "camera" },
		{ "arlos", "", "unknown" },
		{ "EPSONA1B2C3", "Epson", "printer" },
		{ "EPSON-5", "Epson", "printer" },
		{ "stepson", "", "unknown" },
		{ "doorsensor", "", "sensor" },
		{ "tplinkhs110", "TP-Link", "smart_plug" },
		{ "ECOSYSTEM-PI", "", "unknown" },
		{ "wyzecam", "Wyze", "camera" },
	};
	struct ym_identify *id;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "model_name *Arlo* vendor=Arlo type=camera weight=0.8 "
		    "source=x\n"
		    "model_name *ECOSYS* vendor=Kyocera type=printer "
		    "weight=0.8 source=x\n"
		    "model_name *EPSON* vendor=Epson type=printer weight=0.8 "
		    "source=x\n"
		    "model_name *HS110* vendor=TP-Link type=smart_plug "
		    "weight=0.8 source=x\n"
		    "model_name *Wyze*Cam* vendor=Wyze type=camera weight=0.8 "
		    "source=x\n"
		    "device_name *sensor* type=sensor weight=0.8 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ym_device a;

		new_device(&a);
		ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, cases[i].name);
		if (strcmp(a.vendor, cases[i].vendor) != 0 ||
		    strcmp(a.type, cases[i].type) != 0)
			fail_msg("%s: %s %s, expected %s %s", cases[i].name,
				 a.vendor, a.type, cases[i].vendor,
				 cases[i].type);
	}
	ym_identify_fini(id);
}

/* Of two kind words in one name, the later is the head of the name: a
 * "light-sensor" is a sensor, a "sensor-light" a light, "Brewer-PC" (a
 * PC named after its owner) no coffee machine; a product line's word
 * gives way too ("Phaser-PC" is no Xerox printer); a maker's model wins
 * over a kind word wherever it stands ("HS110 Lamp" is the plug). */
static void test_last_kind_word_is_the_head(void **state)
{
	static const struct {
		const char *name, *type;
	} cases[] = {
		{ "light-sensor", "sensor" },
		{ "sensor-light", "light" },
		{ "Brewer-PC", "computer" },
		{ "brewer", "appliance" },
		{ "Phaser-PC", "computer" },
		{ "Phaser 6510", "printer" },
		{ "HS110 Lamp", "smart_plug" },
		{ "DCS-930L-Motion", "camera" },
		{ "Motion Lamp", "light" },
	};
	struct ym_identify *id;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "device_name *sensor* type=sensor weight=0.8 source=x\n"
		    "device_name *light* type=light weight=0.8 source=x\n"
		    "device_name *brewer* type=appliance weight=0.8 "
		    "source=x\n"
		    "model_name *Phaser* vendor=Xerox type=printer "
		    "weight=0.8 source=x\n"
		    "model_name *HS110* vendor=TP-Link type=smart_plug "
		    "weight=0.8 source=x\n"
		    "device_name *lamp* type=light weight=0.8 source=x\n"
		    "model_name DCS-* vendor=D-Link type=camera weight=0.8 "
		    "source=x\n"
		    "device_name *motion* type=sensor weight=0.8 source=x\n"
		    "dhcp_hostname *-PC type=computer weight=0.8 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ym_device a;

		new_device(&a);
		ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, cases[i].name);
		if (strcmp(a.type, cases[i].type) != 0)
			fail_msg("%s: %s, expected %s", cases[i].name, a.type,
				 cases[i].type);
	}
	ym_identify_fini(id);
}

static void test_router_needs_routing(void **state)
{
	struct ym_identify *id;
	struct ym_device d;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "mdns_service _dhnap._tcp type=router weight=0.95 source=x\n"
		    "device_name *-mov type=sensor weight=0.5 source=x\n"
		    "model_name *DCH-S150* type=sensor weight=0.8 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&d);
	/* An HNAP service alone does not make a router, and weak evidence
	 * says unknown with a low confidence. */
	ym_identify_signal(id, &d, YM_SIG_MDNS_SERVICE, "_dhnap._tcp");
	assert_string_equal(d.type, "unknown");
	assert_true(d.confidence < 0.45);
	/* Conflicting evidence: the sensor reading is not confident. */
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, "dlink-mov");
	assert_true(d.confidence < 0.8);
	/* Answering DHCP as a server is routing evidence. */
	d.dhcp_server = true;
	ym_identify_decide(id, &d);
	assert_string_equal(d.type, "router");
	/* A device that routes (a plug in set-up mode serving its own Wi-Fi)
	 * but names itself strongly as something else is that, unsure. */
	ym_identify_signal(id, &d, YM_SIG_UPNP_MODEL, "DCH-S150");
	assert_string_equal(d.type, "sensor");
	assert_true(d.confidence < 0.5);
	ym_identify_fini(id);
	/* So does a weaker reading its brand vouches for. */
	write_rules("a.rules",
		    "mdns_service _dhnap._tcp type=router weight=0.95 source=x\n"
		    "device_name *-mov type=sensor weight=0.5 source=x\n"
		    "plausible D-Link sensor,camera source=x\n"
		    "oui \"D-Link International\" vendor=D-Link weight=0.5 "
		    "source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&d);
	d.dhcp_server = true;
	ym_identify_signal(id, &d, YM_SIG_MDNS_SERVICE, "_dhnap._tcp");
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, "dlink-mov");
	assert_string_equal(d.type, "router");
	ym_identify_signal(id, &d, YM_SIG_OUI, "D-Link International");
	assert_string_equal(d.type, "sensor");
	assert_true(d.confidence < 0.5);
	ym_identify_fini(id);
}

/* Of the rules that match one text, a looser one that names another kind
 * or maker gives way to the more specific one; rules that agree, or name
 * nothing the other names, all count. */
static void test_most_specific_rule_wins(void **state)
{
	struct ym_identify *id;
	struct ym_device d;
	char err[256] = "";
	bool loose = false;

	(void)state;
	write_rules("a.rules",
		    "model_name *DCH-S* vendor=D-Link type=sensor weight=0.6 "
		    "source=x\n"
		    "model_name *DCH-S220* vendor=D-Link type=alarm weight=0.8 "
		    "source=x\n"
		    "upnp_model DS???* vendor=Synology type=nas weight=0.5 "
		    "source=x\n"
		    "model_name *DSP-W215* vendor=D-Link type=smart_plug "
		    "weight=0.8 source=x\n"
		    "upnp_model DSP-* vendor=D-Link weight=0.4 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_UPNP_MODEL, "DCH-S220");
	assert_string_equal(d.type, "alarm");
	assert_true(d.confidence >= 0.8);
	for (uint8_t i = 0; i < d.n_evidence; i++)
		assert_null(strstr(d.evidence[i].conclusion, "sensor"));
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_UPNP_MODEL, "DSP-W215");
	assert_string_equal(d.type, "smart_plug");
	assert_string_equal(d.vendor, "D-Link");
	/* The looser D-Link rule agrees and stays; Synology's goes. */
	for (uint8_t i = 0; i < d.n_evidence; i++) {
		assert_null(strstr(d.evidence[i].conclusion, "Synology"));
		if (strcmp(d.evidence[i].conclusion, "vendor D-Link") == 0)
			loose = true;
	}
	assert_true(loose);
	/* Alone, the loose rule still counts. */
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_UPNP_MODEL, "DS918+");
	assert_string_equal(d.vendor, "Synology");
	ym_identify_fini(id);
}

/* A device that only its own DHCP answers name the router (a plug in
 * set-up mode) is a router at 0.5 at most; forwarding makes it sure. */
static void test_router_by_dhcp_alone_is_a_guess(void **state)
{
	struct ym_identify *id;
	struct ym_device d;
	char err[256] = "";

	(void)state;
	write_rules("a.rules", "oui \"TP-LINK*\" vendor=TP-Link weight=0.5 "
			       "source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI, "TP-LINK TECHNOLOGIES CO.,LTD.");
	d.dhcp_server = true;
	d.gateway = true;
	ym_identify_assert(id, &d, YM_SIG_GATEWAY, "named router by DHCP",
			   "router", 0.95f);
	assert_string_equal(d.type, "router");
	assert_true(d.confidence <= 0.5);
	/* It forwards internet traffic: a router, surely. */
	d.remote_src_pkts = 500;
	ym_identify_decide(id, &d);
	assert_string_equal(d.type, "router");
	assert_true(d.confidence >= 0.9);
	ym_identify_fini(id);
}

static void test_maker_of_one_kind(void **state)
{
	struct ym_identify *id;
	struct ym_device d;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "plausible LIFX light source=x\n"
		    "oui \"LIFX*\" vendor=LIFX weight=0.5 source=x\n"
		    "dns_query *.lifx.co vendor=LIFX weight=0.4 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI, "LIFX Pty Ltd");
	assert_string_equal(d.type, "unknown");
	/* Named by two kinds of signal, a maker of lights only gives a
	 * light, never confidently, and says why. */
	ym_identify_signal(id, &d, YM_SIG_DNS_QUERY, "v2.broker.lifx.co");
	assert_string_equal(d.type, "light");
	assert_true(d.confidence <= 0.6);
	assert_string_equal(d.evidence[d.n_evidence - 1].signal, "maker");
	assert_string_equal(d.evidence[d.n_evidence - 1].conclusion,
			    "type light");
	ym_identify_fini(id);
}

/* A device the traffic cannot name: the household is offered first the
 * kinds its traffic leans to, strongest first, then the kinds its maker
 * makes; a router only when it routes. */
static void test_kinds_offered_to_the_household(void **state)
{
	struct ym_identify *id;
	struct ym_device d;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "plausible D-Link router,network,camera,sensor,smart_plug "
		    "source=x\n"
		    "plausible Acme camera source=x\n"
		    "dns_query *.mydlink.com vendor=D-Link weight=0.5 source=x\n"
		    "device_name *-siren type=alarm weight=0.3 source=x\n"
		    "service tcp/80 type=camera weight=0.2 source=x\n"
		    "module Espressif* source=x\n"
		    "oui \"Espressif*\" vendor=Espressif weight=0.3 source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	/* Nothing known: nothing offered. */
	new_device(&d);
	ym_identify_signal(id, &d, YM_SIG_OUI, "Espressif Inc.");
	assert_string_equal(d.type, "unknown");
	assert_int_equal(d.n_maybe, 0);
	/* Its maker's cloud: the kinds D-Link makes, its network gear
	 * last, no router. */
	ym_identify_signal(id, &d, YM_SIG_DNS_QUERY, "signal.mydlink.com");
	assert_string_equal(d.vendor, "D-Link");
	assert_string_equal(d.type, "unknown");
	assert_int_equal(d.n_maybe, 4);
	assert_string_equal(d.maybe[0], "camera");
	assert_string_equal(d.maybe[1], "sensor");
	assert_string_equal(d.maybe[2], "smart_plug");
	assert_string_equal(d.maybe[3], "network");
	/* Faint readings come first, the stronger before the weaker, even
	 * a kind the maker is not known to make. */
	ym_identify_signal(id, &d, YM_SIG_SERVICE, "tcp/80");
	ym_identify_signal(id, &d, YM_SIG_DHCP_HOSTNAME, "hall-siren");
	assert_string_equal(d.type, "unknown");
	assert_int_equal(d.n_maybe, 5);
	assert_string_equal(d.maybe[0], "alarm");
	assert_string_equal(d.maybe[1], "camera");
	assert_string_equal(d.maybe[2], "sensor");
	assert_string_equal(d.maybe[3], "smart_plug");
	assert_string_equal(d.maybe[4], "network");
	/* It answers DHCP as a server: now a router may be it. */
	d.dhcp_server = true;
	ym_identify_decide(id, &d);
	assert_int_equal(d.n_maybe, 6);
	assert_string_equal(d.maybe[4], "router");
	assert_string_equal(d.maybe[5], "network");
	/* The household's word does not change what the traffic offers. */
	assert_int_equal(ym_identify_household(id, &d, "tv", "Acme"), 0);
	assert_string_equal(d.type, "tv");
	assert_int_equal(d.n_maybe, 6);
	assert_string_equal(d.maybe[0], "alarm");
	ym_identify_fini(id);
}

/* A SYN the device sent: the first specific p0f signature it matches
 * names its system (a generic one only when no specific one does), and
 * the tcp_syn rules say what that system tells: Windows an os and a
 * computer, never alone enough for the type. */
static void test_syn_names_the_system(void **state)
{
	struct ym_identify *id;
	struct ym_device d;
	struct ym_syn syn;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "p0f \"*:128:0:*:*,*:mss,nop,ws,nop,nop,sok:df,id+:0\" "
		    "\"g:win:Windows:NT kernel\" source=x\n"
		    "p0f \"*:128:0:*:64240,8:mss,nop,ws,nop,nop,sok:df,id+:0\" "
		    "\"s:win:Windows:10 or 11\" source=x\n"
		    "tcp_syn \"Windows*\" os=Windows type=computer weight=0.4 "
		    "source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	memset(&syn, 0, sizeof(syn));
	syn.ver = 4;
	syn.ttl = 128;
	syn.mss = 1460;
	syn.wsize = 64240;
	syn.scale = 8;
	syn.quirks = YM_SYN_DF | YM_SYN_ID_PLUS;
	snprintf(syn.olayout, sizeof(syn.olayout), "mss,nop,ws,nop,nop,sok");
	new_device(&d);
	ym_identify_tcp_syn(id, &d, &syn);
	assert_int_equal(d.n_evidence, 1);
	assert_string_equal(d.evidence[0].signal, "tcp_syn");
	assert_string_equal(d.evidence[0].value, "Windows 10 or 11");
	assert_string_equal(d.os, "Windows");
	assert_string_equal(d.type, "unknown");
	/* Another window: only the generic signature matches. */
	syn.wsize = 8192;
	new_device(&d);
	ym_identify_tcp_syn(id, &d, &syn);
	assert_string_equal(d.evidence[0].value, "Windows NT kernel");
	/* A Linux SYN matches neither: nothing is said. */
	syn.ttl = 64;
	snprintf(syn.olayout, sizeof(syn.olayout), "mss,sok,ts,nop,ws");
	new_device(&d);
	ym_identify_tcp_syn(id, &d, &syn);
	assert_int_equal(d.n_evidence, 0);
	ym_identify_fini(id);
}

/* 20,000 rules load and take at most 8 MB (a limit of issue 12); the load
 * time (limit 50 ms) is printed for docs/IDENTIFY.md. */
static const struct ym_evidence *find_evidence(const struct ym_device *d,
					       const char *signal)
{
	for (uint8_t i = 0; i < d->n_evidence; i++)
		if (strcmp(d->evidence[i].signal, signal) == 0)
			return &d->evidence[i];
	return NULL;
}

/* The household's word wins over the traffic, is shown as its own
 * evidence, and a strong disagreement is said, never hidden. */
static void test_household_wins(void **state)
{
	struct ym_identify *id = load();
	struct ym_device d;
	const struct ym_evidence *e;

	(void)state;
	new_device(&d);
	/* Nothing known: the household says it is a plug. */
	assert_int_equal(ym_identify_household(id, &d, "smart_plug", NULL), 0);
	assert_string_equal(d.type, "smart_plug");
	assert_true(d.confidence >= 0.99);
	e = find_evidence(&d, "household");
	assert_non_null(e);
	assert_string_equal(e->value, "smart_plug");
	assert_string_equal(e->conclusion, "type smart_plug");
	assert_null(find_evidence(&d, "traffic"));

	/* The traffic then reads strongly as a Brother printer: the kind
	 * stays the household's, the maker (not given) follows the traffic,
	 * and a line says the traffic disagrees. */
	ym_identify_signal(id, &d, YM_SIG_MDNS_TXT, "ty=Brother HL-L2350DW");
	ym_identify_signal(id, &d, YM_SIG_MDNS_SERVICE, "_ipp._tcp");
	assert_string_equal(d.type, "smart_plug");
	assert_string_equal(d.vendor, "Brother");
	e = find_evidence(&d, "traffic");
	assert_non_null(e);
	assert_string_equal(e->value, "printer");
	assert_string_equal(e->conclusion, "traffic suggests printer");
	assert_true(d.confidence < 1.0 && d.confidence >= 0.8);

	/* A maker given wins too, and the other maker's model goes. */
	assert_int_equal(ym_identify_household(id, &d, "printer", "Acme"), 0);
	assert_string_equal(d.type, "printer");
	assert_string_equal(d.vendor, "Acme");
	assert_string_equal(d.model, "");
	assert_null(find_evidence(&d, "traffic"));
	assert_string_equal(find_evidence(&d, "household")->conclusion,
			    "type printer; vendor Acme");

	/* Outside the vocabulary: refused, nothing changes. */
	assert_int_equal(ym_identify_household(id, &d, "toaster", NULL),
			 -EINVAL);
	assert_int_equal(ym_identify_household(id, &d, "unknown", NULL),
			 -EINVAL);
	assert_string_equal(d.type, "printer");

	/* Forgotten: the traffic decides again. */
	assert_int_equal(ym_identify_household(id, &d, NULL, NULL), 0);
	assert_string_equal(d.type, "printer");
	assert_string_equal(d.vendor, "Brother");
	assert_null(find_evidence(&d, "household"));
	ym_identify_fini(id);
}

static void test_many_rules_load_fast(void **state)
{
	static const char *const sigs[] = { "dhcp_hostname", "dns_query",
					    "model_name", "mdns_txt", "oui",
					    "upnp_model" };
	struct ym_identify *id;
	struct timespec t0, t1;
	char path[128], err[256] = "";
	FILE *f;
	double ms, first_ms = 0;
	long rss0, rss1, kb = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.rules", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "%s \"*model-%05d-%s*\" type=camera vendor=Maker%d "
			   "model=\"Model %d\" weight=0.7 source=https://"
			   "example.com/products/%d\n",
			sigs[i % 6], i, i % 2 ? "x" : "y", i % 500, i, i);
	fclose(f);
	/* Processor time, best of three loads: other work on a shared
	 * machine (page faults cost more when it is busy) does not count. */
	ms = 1e9;
	for (int run = 0; run < 3; run++) {
		double t;

		rss0 = rss_kb();
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)),
				 0);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		rss1 = rss_kb();
		t = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (run == 0) {
			first_ms = t;
			kb = rss1 - rss0;
		}
		if (t < ms)
			ms = t;
		if (run < 2)
			ym_identify_fini(id);
	}
	assert_int_equal(ym_identify_rule_count(id), 20000);
	printf("20000 rules: first load %.1f ms CPU, best of 3 %.1f ms, "
	       "%ld kB resident\n", first_ms, ms, kb);
	/* Time is measured here and reported, not asserted: a test must not
	 * fail because the machine is busy (CI runs on two loaded cores, and
	 * this also runs under AddressSanitizer). docs/IDENTIFY.md keeps the
	 * figures against the 50 ms limit. Memory is a property of the code:
	 * asserted, except under the sanitizers' redzones. */
#ifndef __SANITIZE_ADDRESS__
	assert_true(kb <= 8 * 1024);
#endif
	ym_identify_fini(id);
	unlink(path);
}

/* A brand of plausible.rules found inside a domain or a device's own name
 * names the maker; brands that also make phones or computers never do
 * (every phone looks up their names); short brands only as a word. */
static void test_brand_in_names(void **state)
{
	struct ym_identify *id;
	struct ym_device a, b, c, e;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "module \"Hi-Flying*\" source=x\n"
		    "oui \"Hi-Flying*\" vendor=Hi-Flying weight=0.5 source=x\n"
		    "plausible D-Link camera,sensor,smart_plug source=x\n"
		    "plausible Smarter appliance source=x\n"
		    "plausible Google phone,smart_speaker source=x\n"
		    "plausible Ring doorbell,camera source=x\n"
		    "plausible eQ-3 hub,thermostat source=x\n"
		    "plausible Canon printer,camera source=x\n"
		    "plausible Eve sensor,smart_plug source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	/* The maker's cloud, named after it, beats the module's registry
	 * name. */
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_OUI, "Hi-Flying electronics");
	assert_string_equal(a.vendor, "Hi-Flying");
	ym_identify_signal(id, &a, YM_SIG_DNS_QUERY, "api.smarter.am");
	assert_string_equal(a.vendor, "Smarter");
	/* A brand inside a longer label, and in a host name. */
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_DNS_QUERY, "signal.mydlink.com");
	assert_string_equal(b.vendor, "D-Link");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "dlink-4F2A");
	assert_string_equal(b.vendor, "D-Link");
	/* A maker of phones is no maker's cloud; the top-level domain and
	 * short brands inside other words name nothing. */
	new_device(&c);
	ym_identify_signal(id, &c, YM_SIG_DNS_QUERY, "www.google.com");
	ym_identify_signal(id, &c, YM_SIG_DNS_QUERY, "spring.io");
	ym_identify_signal(id, &c, YM_SIG_DNS_QUERY, "example.ring");
	ym_identify_signal(id, &c, YM_SIG_DHCP_HOSTNAME, "bearing-42");
	/* A brand inside another word, or a word that only begins like
	 * one, names nothing; nor does a short brand in a household's name
	 * for a device. */
	ym_identify_signal(id, &c, YM_SIG_DNS_QUERY, "cdn.cyberdlinks.net");
	ym_identify_signal(id, &c, YM_SIG_DNS_QUERY, "livepatch.canonical.com");
	ym_identify_signal(id, &c, YM_SIG_DHCP_HOSTNAME, "Eve-s-phone");
	/* An English word that begins with a brand ("blinkist",
	 * "dreamers") is the word, in a domain or a name. */
	ym_identify_signal(id, &c, YM_SIG_DNS_QUERY, "www.dlinkers.org");
	ym_identify_signal(id, &c, YM_SIG_DHCP_HOSTNAME, "dlinking");
	assert_string_equal(c.vendor, "");
	/* A brand's own words after it are its cloud's. */
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_DNS_QUERY, "eu.dlinkcloud.com");
	assert_string_equal(b.vendor, "D-Link");
	/* A short brand as a word of its own does. */
	new_device(&e);
	ym_identify_signal(id, &e, YM_SIG_DNS_QUERY, "max.eq-3.de");
	assert_string_equal(e.vendor, "eQ-3");
	assert_string_equal(e.type, "unknown");
	ym_identify_fini(id);
}

/* A type read from a name that says no maker counts when the brand that
 * other kinds of signal name makes such things, never confidently; not
 * when the brand is not known to make them. */
static void test_brand_corroborates_type(void **state)
{
	struct ym_identify *id;
	struct ym_device a, b, c;
	char err[256] = "";

	(void)state;
	write_rules("a.rules",
		    "plausible D-Link camera,sensor,smart_plug source=x\n"
		    "plausible Acme camera source=x\n"
		    "oui \"D-Link International\" vendor=D-Link weight=0.5 "
		    "source=x\n"
		    "oui \"Acme Inc\" vendor=Acme weight=0.5 source=x\n"
		    "mdns_service _dhnap._tcp vendor=D-Link weight=0.5 "
		    "source=x\n"
		    "device_name *-mov type=sensor weight=0.5 source=x\n"
		    "dhcp_hostname DCS-9* vendor=D-Link type=camera weight=0.6 "
		    "source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, "x-mov");
	assert_string_equal(a.type, "unknown");
	ym_identify_signal(id, &a, YM_SIG_MDNS_SERVICE, "_dhnap._tcp");
	assert_string_equal(a.vendor, "D-Link");
	assert_string_equal(a.type, "sensor");
	assert_true(a.confidence <= 0.6f);
	/* Another brand named as strongly: neither vouches. */
	new_device(&c);
	ym_identify_signal(id, &c, YM_SIG_DHCP_HOSTNAME, "x-mov");
	ym_identify_signal(id, &c, YM_SIG_MDNS_SERVICE, "_dhnap._tcp");
	ym_identify_signal(id, &c, YM_SIG_OUI, "Acme Inc");
	assert_string_equal(c.vendor, "D-Link");
	assert_string_equal(c.type, "unknown");
	/* Acme makes cameras only: its name does not back a sensor. */
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_OUI, "Acme Inc");
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "x-mov");
	assert_string_equal(b.vendor, "Acme");
	assert_string_equal(b.type, "unknown");
	/* A model family in the host name and the same brand in the
	 * registry are two facts. */
	new_device(&c);
	ym_identify_signal(id, &c, YM_SIG_DHCP_HOSTNAME, "DCS-930L");
	assert_string_equal(c.type, "unknown");
	ym_identify_signal(id, &c, YM_SIG_OUI, "D-Link International");
	assert_string_equal(c.type, "camera");
	assert_true(c.confidence < 0.8f);
	/* A port it serves is a kind of signal of its own. */
	ym_identify_fini(id);
	write_rules("a.rules",
		    "plausible D-Link camera,sensor,smart_plug source=x\n"
		    "oui \"D-Link International\" vendor=D-Link weight=0.5 "
		    "source=x\n"
		    "service tcp/554 type=camera weight=0.45 source=x\n"
		    "dhcp_hostname DCS-9* vendor=D-Link type=camera weight=0.6 "
		    "source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_SERVICE, "tcp/554");
	assert_string_equal(b.type, "unknown");
	ym_identify_signal(id, &b, YM_SIG_OUI, "D-Link International");
	assert_string_equal(b.type, "unknown"); /* 0.45: too weak alone */
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "DCS-932L");
	assert_string_equal(b.type, "camera");
	assert_string_equal(b.evidence[0].signal, "service");
	/* Thirty cloud names of one maker do not crowd out the registry's
	 * name: a full list drops a repeated piece first. */
	ym_identify_fini(id);
	write_rules("a.rules",
		    "oui \"Acme Inc\" vendor=Acme weight=0.3 source=x\n"
		    "dns_query *.cloud.example vendor=Other weight=0.35 "
		    "source=x\n");
	assert_int_equal(ym_identify_init(&id, dir, err, sizeof(err)), 0);
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_OUI, "Acme Inc");
	for (int i = 0; i < 30; i++) {
		char name[64];

		snprintf(name, sizeof(name), "n%d.cloud.example", i);
		ym_identify_signal(id, &b, YM_SIG_DNS_QUERY, name);
	}
	assert_string_equal(b.evidence[0].signal, "oui");
	/* A UPnP (or HNAP) model name is the model even when no rule knows
	 * its family; a rule's model wins. */
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_UPNP_MODEL, "XR-2000 v2");
	assert_string_equal(a.model, "XR-2000 v2");
	assert_string_equal(a.type, "unknown");
	/* A host name that is a model number is the model; names made
	 * from the address or the owner's name are not. */
	new_device(&a);
	ym_identify_signal(id, &a, YM_SIG_DHCP_HOSTNAME, "QX-4120W");
	assert_string_equal(a.model, "QX-4120W");
	new_device(&b);
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "dch0A3F");
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "ESP_3A1F2C");
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "taro-laptop2");
	ym_identify_signal(id, &b, YM_SIG_DHCP_HOSTNAME, "Galaxy-S10");
	assert_string_equal(b.model, "");
	ym_identify_fini(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_two_signals_name_a_camera),
		cmocka_unit_test(test_one_weak_signal_is_not_enough),
		cmocka_unit_test(test_repeats_do_not_stack),
		cmocka_unit_test(test_implausible_vendor),
		cmocka_unit_test(test_registry_name_without_rule),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_mac_prefix),
		cmocka_unit_test(test_maker_over_module),
		cmocka_unit_test(test_model_names),
		cmocka_unit_test(test_stronger_rule_counts),
		cmocka_unit_test(test_maker_word_stands_alone),
		cmocka_unit_test(test_last_kind_word_is_the_head),
		cmocka_unit_test(test_model_without_mac_suffix),
		cmocka_unit_test(test_router_needs_routing),
		cmocka_unit_test(test_maker_of_one_kind),
		cmocka_unit_test(test_household_wins),
		cmocka_unit_test(test_brand_in_names),
		cmocka_unit_test(test_brand_corroborates_type),
		cmocka_unit_test(test_kinds_offered_to_the_household),
		cmocka_unit_test(test_syn_names_the_system),
		cmocka_unit_test(test_many_rules_load_fast),
		cmocka_unit_test(test_most_specific_rule_wins),
		cmocka_unit_test(test_router_by_dhcp_alone_is_a_guess),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
