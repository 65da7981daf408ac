/* pcaploop: a bare libpcap read loop, used by bench/run.sh as the
 * throughput ceiling for offline capture processing.
 *
 *   pcaploop FILE
 *
 * Opens FILE with pcap_open_offline() (pcap or pcapng), reads every
 * packet with pcap_next_ex(), touches one byte of each packet so the
 * read cannot be optimised away, and prints "packets=N bytes=M"
 * (M counts captured bytes, i.e. the sum of caplen).
 * Exit status: 0 on success, 1 on a read error, 2 on a usage error.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

/* Storing the checksum here keeps the per-packet read observable. */
static volatile unsigned int sink;

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	unsigned int sum = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argc > 0 ? argv[0] : "pcaploop");
		return 2;
	}

	errbuf[0] = '\0';
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcaploop: %s: %s\n", argv[1], errbuf);
		return 1;
	}

	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		packets++;
		bytes += hdr->caplen;
		if (hdr->caplen > 0)
			sum += data[hdr->caplen / 2];
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcaploop: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);

	sink = sum;
	printf("packets=%" PRIu64 " bytes=%" PRIu64 "\n", packets, bytes);
	return 0;
}
