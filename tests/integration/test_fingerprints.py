#!/usr/bin/env python3
"""Rule importers and rule files: the importer turns public sources into
rule files with source= on every line and refuses malformed input with
FILE:LINE and exit status 2; the committed files are what it makes from
../shared/refs (skipped with a message when that folder is absent); yamorid
loads every committed rule file and refuses a malformed rule with FILE:LINE
and exit status 2."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
SHARED = os.environ.get("YAMORI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
REFS = os.path.join(SHARED, "refs")
IMPORT = os.path.join(ROOT, "data", "fingerprints", "import", "import.py")
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
GENERATED = ("ha-discovery.rules", "cloud-lists.rules", "p0f.rules")

TYPES_HEAD = "domain\tname\tintegration_type\tiot_class\tdiscovered_by\tplatforms\tstatus\tprimary_guess\tcandidates\tbasis\n"


# p0f's database in its own form: a system, a generic catch-all, a tool
# (NMap: class "!"), and SYN+ACK signatures, which are not SYNs.
P0F_FP = """; p0f - fingerprint database
classes = win,unix,other

[mtu]
label = Ethernet or modem
sig   = 1500

[tcp:request]
label = s:unix:Linux:3.11 and newer
sig   = *:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0

label = g:win:Windows:NT kernel
sig   = *:128:0:*:*,*:mss,nop,ws,nop,nop,sok:df,id+:0

label = s:!:NMap:SYN scan
sys   = @unix,@win
sig   = *:64-:0:1460:1024,0:mss::0

[tcp:response]
label = s:unix:Linux:3.x
sig   = *:64:0:*:mss*10,0:mss:df:0
"""


def fake_refs(root, dhcp=None, types=None, zeroconf=None, ssdp=None, domains=None, p0f=None):
    """A minimal refs tree in the sources' formats."""
    ha = os.path.join(root, "home-assistant-discovery")
    dom = os.path.join(root, "iot-vendor-domains")
    p0f_dir = os.path.join(root, "p0f-signatures")
    os.makedirs(ha)
    os.makedirs(dom)
    os.makedirs(p0f_dir)
    files = {
        os.path.join(p0f_dir, "p0f-peace-maker-updated.fp"): p0f or P0F_FP,
        os.path.join(ha, "integration_device_types.tsv"): types or (
            TYPES_HEAD +
            "tplink\tTP-Link Kasa Smart\thub\tlocal\tdhcp\tlight,switch\tambiguous\tlight\tlight,smart_plug\tx\n"
            "dlink\tD-Link Wi-Fi Smart Plugs\tdevice\tlocal\tdhcp\tswitch\tsingle\tsmart_plug\tsmart_plug\tx\n"),
        os.path.join(ha, "ha_dhcp_rules.tsv"): dhcp or (
            "domain\thostname_glob\tmacaddress_glob\tregistered_devices\n"
            "tplink\ths*\t50C7BF*\t\n"
            "tplink\tk[lps]*\t9C5322*\t\n"
            "dlink\tdsp-w215\t\t\n"),
        os.path.join(ha, "ha_zeroconf_rules.tsv"): zeroconf or (
            "service_type\tdomain\tname_glob\tproperties_json\n"
            "_dlink._tcp.local.\tdlink\t\t{\"model\": \"dsp*\"}\n"),
        os.path.join(ha, "ha_homekit_models.tsv"): "homekit_model_prefix\tdomain\talways_discover\nHS1\ttplink\tTrue\n",
        os.path.join(ha, "ha_ssdp_rules.tsv"): ssdp or (
            "domain\tmatcher_json\n"
            "dlink\t{\"manufacturer\": \"D-Link\", \"modelName\": \"DSP-W215\"}\n"),
        os.path.join(dom, "vendor_domains_combined.tsv"): domains or (
            "source\tvendor_or_protocol\tdevice\tdomain_or_pattern\tnote\tsource_file\n"
            "nextdns_native_tracking\tsonos\t\tmsmetrics.ws.sonos.com\t\tx\n"
            "iotrim\t\techodot\tdevice-metrics-us.amazon.com\tfirst\tx\n"),
    }
    for path, text in files.items():
        with open(path, "w") as f:
            f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


# A registry in the IEEE's CSV form: Hi-Flying's and Murata's blocks (Wi-Fi
# module makers, as models.rules lists them) and TP-Link's.
FAKE_OUI = ("Registry,Assignment,Organization Name,Organization Address\n"
            "MA-L,ACCF23,Hi-flying electronics technology Co.;Ltd,Shanghai\n"
            "MA-L,E84F25,\"Murata Manufacturing Co., Ltd.\",Kyoto\n"
            "MA-L,50C7BF,\"TP-LINK TECHNOLOGIES CO.,LTD.\",Shenzhen\n")


def run_import(refs, out, oui=None):
    """The importer on refs; with a fake registry unless oui is given."""
    if oui is None:
        oui = os.path.join(os.path.dirname(refs), "oui.csv")
        with open(oui, "w") as f:
            f.write(FAKE_OUI)
    return subprocess.run([sys.executable, IMPORT, "--refs", refs, "--out", out, "--oui", oui],
                          capture_output=True, text=True, timeout=120)


def empty_pcap(path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))


class Importer(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ym-fp-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_fake_sources_make_rules_with_sources(self):
        refs, out = os.path.join(self.tmp, "refs"), os.path.join(self.tmp, "out")
        fake_refs(refs)
        os.makedirs(out)
        r = run_import(refs, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        ha = read(os.path.join(out, "ha-discovery.rules"))
        # fnmatch classes become one pattern per choice; MAC prefixes stay.
        for want in ('"kl*"', '"kp*"', '"ks*"', "mac=50C7BF*", "vendor=TP-Link",
                     "type=smart_plug vendor=D-Link", '"model=dsp*"', '"DSP-W215"'):
            self.assertIn(want, ha)
        dom = read(os.path.join(out, "cloud-lists.rules"))
        self.assertIn("msmetrics.ws.sonos.com", dom)
        # IoTrim is AGPL-3.0: not imported.
        self.assertNotIn("device-metrics-us.amazon.com", dom)
        # p0f: the SYN signatures of systems; not a tool's, not SYN+ACKs.
        p0f = read(os.path.join(out, "p0f.rules"))
        sigs = [l for l in p0f.splitlines() if l.startswith("p0f ")]
        self.assertEqual(len(sigs), 2, p0f)
        self.assertIn('"*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0"', sigs[0])
        self.assertIn('"s:unix:Linux:3.11 and newer"', sigs[0])
        self.assertIn('"g:win:Windows:NT kernel"', sigs[1])
        self.assertNotIn("NMap", p0f)
        self.assertNotIn("mss*10,0", p0f)
        for text in (ha, dom, p0f):
            for line in text.splitlines():
                if line.strip() and not line.startswith("#"):
                    self.assertIn(" source=", line)

    def test_module_default_names_name_no_maker(self):
        """A matcher on a Wi-Fi module maker's block names a maker only when
        its host name says the brand: "hf*" (the module's default name) or
        the whole block would name every product built on the module."""
        refs, out = os.path.join(self.tmp, "refs"), os.path.join(self.tmp, "out")
        fake_refs(refs, types=TYPES_HEAD +
                  "tplink\tTP-Link Kasa Smart\thub\tlocal\tdhcp\tlight,switch\tambiguous\tlight\tlight,smart_plug\tx\n"
                  "flux_led\tMagic Home\tdevice\tlocal\tdhcp\tlight\tsingle\tlight\tlight\tx\n"
                  "airzone\tAirzone\thub\tlocal\tdhcp\tclimate\tsingle\tthermostat\tthermostat\tx\n"
                  "dlink\tD-Link Wi-Fi Smart Plugs\tdevice\tlocal\tdhcp\tswitch\tsingle\tsmart_plug\tsmart_plug\tx\n",
                  dhcp="domain\thostname_glob\tmacaddress_glob\tregistered_devices\n"
                       "flux_led\thf*\tACCF23*\t\n"
                       "flux_led\tmagichome-*\tACCF23*\t\n"
                       "airzone\t\tE84F25*\t\n"
                       "tplink\ths*\t50C7BF*\t\n")
        os.makedirs(out)
        r = run_import(refs, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        ha = read(os.path.join(out, "ha-discovery.rules"))
        self.assertNotIn('"hf*"', ha)
        self.assertNotIn("mac=E84F25", ha)
        self.assertIn('"magichome-*"', ha)
        self.assertIn('"hs*"', ha)
        # Without a registry the importer says so and writes nothing.
        out2 = os.path.join(self.tmp, "out2")
        os.makedirs(out2)
        r = run_import(refs, out2, oui=os.path.join(self.tmp, "no-such.csv"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("no-such.csv", r.stderr)
        self.assertEqual(os.listdir(out2), [])

    def test_malformed_input_is_refused_with_file_and_line(self):
        cases = [
            (dict(dhcp="domain\thostname_glob\tmacaddress_glob\tregistered_devices\n"
                       "tplink\ths*\t50C7BF*\t\ntplink\ths*\n"),
             "ha_dhcp_rules.tsv:3: expected 4 tab-separated fields"),
            (dict(dhcp="domain\thostname_glob\tmacaddress_glob\tregistered_devices\n"
                       "tplink\ths*\tXYZ*\t\n"), "ha_dhcp_rules.tsv:2: bad MAC prefix"),
            (dict(dhcp="domain\thostname_glob\tmacaddress_glob\tregistered_devices\n"
                       "nosuch\ths*\t50C7BF*\t\n"), "ha_dhcp_rules.tsv:2: integration 'nosuch'"),
            (dict(types=TYPES_HEAD + "tplink\tT\thub\tx\tdhcp\tlight\tsingle\tfridge\tfridge\tx\n"),
             "integration_device_types.tsv:2: unknown device type 'fridge'"),
            (dict(ssdp="domain\tmatcher_json\ndlink\t{\"manufacturer\": \n"),
             "ha_ssdp_rules.tsv:2: bad JSON"),
            (dict(zeroconf="service_type\tdomain\tname_glob\tproperties_json\n"
                           "dlink.local.\tdlink\t\t\n"), "ha_zeroconf_rules.tsv:2: bad service type"),
            (dict(domains="source\tvendor_or_protocol\tdevice\tdomain_or_pattern\tnote\tsource_file\n"
                          "somewhere\tsonos\t\tx.sonos.com\t\tx\n"),
             "vendor_domains_combined.tsv:2: unknown source"),
            (dict(p0f="[tcp:request]\nsig = *:64:0:*:*,*:mss::0\n"),
             "p0f-peace-maker-updated.fp:2: a sig before any label"),
            (dict(p0f="[tcp:request]\nlabel = s:unix:Linux:3.x\nsig = *:64:0:*:*,*:mss\n"),
             "p0f-peace-maker-updated.fp:3: expected ver:ittl"),
            (dict(p0f="[tcp:request]\nlabel = x:unix:Linux:3.x\n"),
             "p0f-peace-maker-updated.fp:2: expected 'label = s|g"),
        ]
        for i, (kw, needle) in enumerate(cases):
            with self.subTest(needle=needle):
                refs, out = os.path.join(self.tmp, "refs%d" % i), os.path.join(self.tmp, "out%d" % i)
                fake_refs(refs, **kw)
                os.makedirs(out)
                r = run_import(refs, out)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(needle, r.stderr)
                # Nothing half-written is left behind.
                self.assertEqual(os.listdir(out), [])

    @unittest.skipUnless(os.path.isdir(os.path.join(REFS, "home-assistant-discovery")),
                         "../shared/refs is absent")
    def test_committed_files_are_what_the_importer_makes(self):
        out = os.path.join(self.tmp, "out")
        os.makedirs(out)
        r = run_import(REFS, out, oui="/usr/share/ieee-data/oui.csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in GENERATED:
            with self.subTest(file=name):
                got = read(os.path.join(out, name))
                want = read(os.path.join(ROOT, "data", "fingerprints", name))
                self.assertEqual(got, want, "re-run data/fingerprints/import/import.py")


class Daemon(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ym-fp-")
        self.pcap = os.path.join(self.tmp, "empty.pcap")
        empty_pcap(self.pcap)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_with(self, extra=None):
        data = os.path.join(self.tmp, "data")
        shutil.copytree(os.path.join(ROOT, "data"), data, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("import"))
        if extra:
            with open(os.path.join(data, "fingerprints", "zz-local.rules"), "w") as f:
                f.write(extra)
        conf = os.path.join(self.tmp, "yamori.conf")
        with open(conf, "w") as f:
            f.write("data_dir = %s\n" % data)
        state = tempfile.mkdtemp(dir=self.tmp)
        return subprocess.run([YAMORID, "-r", self.pcap, "--state-dir", state, "-c", conf],
                              capture_output=True, text=True, timeout=120)

    def test_committed_rules_load(self):
        r = self.run_with()
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_malformed_rules_are_refused(self):
        for text, needle in (
                ("# x\noui \"*\" vendor=A mac=XYZ source=y\n", "zz-local.rules:2: mac= wants"),
                ("module Espressif\n", "zz-local.rules:1: expected 'module"),
                ("model_name *HS1* type=toaster source=y\n", "zz-local.rules:1: unknown type"),
                ("device_name *plug* type=smart_plug\n", "zz-local.rules:1: every rule needs source"),
                ('p0f "*:64:0:*:mss*20,10:mss,sok,zz:df:0" "s:unix:Linux:3.x" source=y\n',
                 "zz-local.rules:1: p0f signature: olayout"),
                ('p0f "*:300:0:*:*,*:mss::0" "s:unix:Linux:3.x" source=y\n',
                 "zz-local.rules:1: p0f signature: ittl"),
                ('p0f "*:64:0:*:*,*:mss::0" "Linux" source=y\n', "zz-local.rules:1: p0f label"),
                ('tcp_syn "Linux*" type=toaster source=y\n', "zz-local.rules:1: unknown type")):
            with self.subTest(rule=text):
                r = self.run_with(text)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(needle, r.stderr)


# Hand-made frames: a phone fetches a WeMo description and asks a D-Link
# sensor for its HNAP device settings.
def csum(b):
    if len(b)%2: b+=b'\0'
    s=sum(struct.unpack('!%dH'%(len(b)//2), b)); s=(s>>16)+(s&0xffff); s+=s>>16
    return (~s)&0xffff
def frame(smac, dmac, sip, dip, sport, dport, payload, seq=1):
    tcp=struct.pack('!HHIIBBHHH', sport, dport, seq, 1, 5<<4, 0x18, 65535, 0, 0)+payload
    ip=struct.pack('!BBHHHBBH4s4s',0x45,0,20+len(tcp),1,0x4000,64,6,0,bytes(map(int,sip.split('.'))),bytes(map(int,dip.split('.'))))
    ip=ip[:10]+struct.pack('!H',csum(ip))+ip[12:]
    return bytes.fromhex(dmac.replace(':',''))+bytes.fromhex(smac.replace(':',''))+b'\x08\x00'+ip+tcp
def write_pcap(path, frames):
    with open(path,'wb') as f:
        f.write(struct.pack('<IHHiIII',0xa1b2c3d4,2,4,0,0,65535,1))
        for i,fr in enumerate(frames):
            f.write(struct.pack('<IIII',1700000000+i,0,len(fr),len(fr))); f.write(fr)
PHONE='02:00:00:00:00:01'
upnp=(b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
      b'<deviceType>urn:Belkin:device:controllee:1</deviceType><friendlyName>Kitchen</friendlyName>'
      b'<manufacturer>Belkin International Inc.</manufacturer><modelName>Socket</modelName><modelNumber>1.0</modelNumber></device></root>')
hnap=(b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version="1.0" encoding="utf-8"?><soap:Envelope><soap:Body>'
      b'<GetDeviceSettingsResponse xmlns="http://purenetworks.com/HNAP1/"><GetDeviceSettingsResult>OK</GetDeviceSettingsResult>'
      b'<Type>Sensor</Type><DeviceName>D-Link Water Sensor</DeviceName><VendorName>D-Link</VendorName>'
      b'<ModelName>DCH-S160</ModelName></GetDeviceSettingsResponse></soap:Body></soap:Envelope>')
ediplug=(b'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version="1.0" encoding="UTF8"?><SMARTPLUG id="edimax">'
         b'<CMD id="get"><SYSTEM_INFO><Run.Cus>Edimax</Run.Cus><Run.Model>SP2101W</Run.Model></SYSTEM_INFO></CMD></SMARTPLUG>')
PASSIVE_FRAMES = [
  frame(PHONE,'14:91:82:00:00:10','192.168.1.2','192.168.1.10',50000,49153,b'GET /setup.xml HTTP/1.1\r\n\r\n'),
  frame('14:91:82:00:00:10',PHONE,'192.168.1.10','192.168.1.2',49153,50000,upnp),
  frame(PHONE,'b0:c5:54:00:00:20','192.168.1.2','192.168.1.20',50001,80,b'POST /HNAP1/ HTTP/1.1\r\n\r\n'),
  frame('b0:c5:54:00:00:20',PHONE,'192.168.1.20','192.168.1.2',80,50001,hnap),
  frame(PHONE,'74:da:38:00:00:30','192.168.1.2','192.168.1.30',50002,10000,b'POST /smartplug.cgi HTTP/1.1\r\n\r\n'),
  frame('74:da:38:00:00:30',PHONE,'192.168.1.30','192.168.1.2',10000,50002,ediplug),
]


class PassiveDescriptions(unittest.TestCase):
    """A UPnP description or an HNAP answer that an app fetches crosses the
    wire: read from the capture, it names the device as a fetch would."""

    def test_upnp_and_hnap_answers_name_devices(self):
        tmp = tempfile.mkdtemp(prefix="ym-fp-")
        try:
            pcap = os.path.join(tmp, "passive.pcap")
            write_pcap(pcap, PASSIVE_FRAMES)
            state = os.path.join(tmp, "st")
            os.makedirs(state)
            r = subprocess.run([YAMORID, "-r", pcap, "--state-dir", state, "-c", "/dev/null"],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            out = subprocess.run([os.path.join(BUILD, "daemon", "yamorictl"), "--state-dir",
                                  state, "devices", "--json"], capture_output=True, text=True)
            devs = {d["mac"]: d for d in json.loads(out.stdout)}
            plug, sensor = devs["14:91:82:00:00:10"], devs["b0:c5:54:00:00:20"]
            self.assertEqual((plug["type"], plug["vendor"]), ("smart_plug", "Belkin"))
            self.assertEqual((sensor["type"], sensor["vendor"], sensor["model"]),
                             ("sensor", "D-Link", "DCH-S160"))
            edi = devs["74:da:38:00:00:30"]
            self.assertEqual((edi["type"], edi["vendor"], edi["model"]),
                             ("smart_plug", "Edimax", "SP-2101W"))
            # The phone that asked is not named by what it received.
            self.assertEqual(devs["02:00:00:00:00:01"]["type"], "unknown")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
