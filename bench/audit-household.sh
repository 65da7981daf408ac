#!/usr/bin/env bash
# bench/audit-household.sh: a full automatic factory-password check (audit =
# on) of a 30-device household built in network namespaces, timed, and its
# cost to yamorid's packet rate while traffic is replayed at a fixed rate.
#
#   sudo bench/audit-household.sh [--quick] [--build DIR] [--rate PPS[,PPS]]
#        [--duration S] [--rate-runs N] [--sweep] [--pin] [--skip-timing]
#        [--skip-rate] [--keep] [--cameras N --nas N --web N --others N]
#
# The work is done by bench/audit-household.py (Python 3, standard library);
# its header says what is built, what is measured and how, and which Debian
# packages it needs (iproute2, tcpdump, tcpreplay, busybox-static,
# openssh-server, vsftpd, lighttpd, openssl, iputils-ping,
# gir1.2-gst-rtsp-server-1.0, python3-gi). Needs root; creates and removes
# its own namespaces (ymhh<PID>-*, 10.234.0.0/24 only). The default run
# takes about 20 minutes on 2 cores; --quick (6 devices) about 5. The last
# thing printed is Markdown for docs/PERFORMANCE.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec /usr/bin/python3 "$here/audit-household.py" "$@"
