/* DHCPv4 message parsing (RFC 2131/2132): the fields the inventory, the
 * sniffers and detection use; the decoder parses each message once for all
 * of them. Options are walked with a bounds-checked iterator; nothing is
 * allocated. */
#ifndef YM_DHCP_H
#define YM_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct ym_dhcp {
	uint8_t op;             /* 1 request, 2 reply */
	uint8_t msg_type;       /* option 53, 0 if absent */
	uint8_t chaddr[6];
	uint8_t ciaddr[4], yiaddr[4];
	bool has_hostname;
	char hostname[64];      /* option 12, cleaned */
	bool has_mask, has_router, has_server_id, has_requested;
	uint8_t mask[4], router[4], server_id[4], requested[4];
	uint8_t n_params;
	uint8_t params[64];     /* option 55, in order */
	char vendor_class[64];  /* option 60, cleaned */
	uint16_t max_size;      /* option 57, 0 if absent */
	uint8_t client_id_len;
	uint8_t client_id[32];  /* option 61, raw (type byte first) */
	char fqdn[128];         /* option 81 domain name, cleaned */
};

#define YM_DHCP_DISCOVER 1
#define YM_DHCP_OFFER 2
#define YM_DHCP_REQUEST 3
#define YM_DHCP_ACK 5

/* Parses a BOOTP/DHCP payload (UDP 67/68); 0 or -EINVAL when it is not a
 * well-formed DHCP message for Ethernet (bad length, cookie or options). */
int ym_dhcp_parse(const uint8_t *p, uint32_t len, struct ym_dhcp *out)
	YM_MUST_CHECK;

/* DHCPv6 (UDP 546/547, RFC 8415): the client's identifiers. */
struct ym_dhcp6 {
	uint8_t msg_type;
	uint8_t duid_len;
	uint8_t duid[64];       /* option 1 client identifier, raw */
	uint8_t n_oro;
	uint16_t oro[32];       /* option 6 option request list, in order */
	uint32_t enterprise;    /* option 16 vendor class enterprise number */
	char vendor_class[64];  /* option 16 first vendor-class-data, cleaned */
	char fqdn[128];         /* option 39, decoded from DNS wire format */
};

/* Parses a DHCPv6 client or server message (not relay messages); 0 or
 * -EINVAL when malformed. */
int ym_dhcp6_parse(const uint8_t *p, uint32_t len, struct ym_dhcp6 *out)
	YM_MUST_CHECK;

#endif
