#include "dhcp.h"

#include <errno.h>
#include <string.h>

#define BOOTP_FIXED 236
#define DHCP_COOKIE_LEN 4

/* RFC 4702 section 2.1: the E flag says the name is in DNS wire format. */
#define FQDN_FLAG_E 0x04

#define DHCP6_HEADER 4
#define DHCP6_OPT_HEADER 4
#define DHCP6_RELAY_FORW 12
#define DHCP6_RELAY_REPL 13
#define DHCP6_OPT_CLIENTID 1
#define DHCP6_OPT_ORO 6
#define DHCP6_OPT_VENDOR_CLASS 16
#define DHCP6_OPT_CLIENT_FQDN 39

/* A domain name is at most 255 bytes in wire format (RFC 1035 3.1), so
 * its dotted text is shorter still. */
#define DNS_NAME_MAX 255

/* Decodes an uncompressed DNS wire-format name (RFC 1035 3.1) of at most
 * len bytes into dotted text, cleaned. DHCP forbids compression, so a
 * pointer is malformed like any label running past the end. A name
 * without its final empty label is a partial name (RFC 4702 section 2.3.1,
 * RFC 4704 section 4.2) and is accepted. 0 or -EINVAL; out is untouched on
 * error. */
static int wire_name(const uint8_t *p, uint32_t len, char *out,
		     size_t outlen)
{
	char text[DNS_NAME_MAX];
	size_t n = 0;
	uint32_t off = 0;

	while (off < len) {
		uint8_t label = p[off++];

		if (label == 0)
			break;
		if (label > 63 || label > len - off)
			return -EINVAL;
		/* At most 255 bytes in wire format with the root label, which
		 * also keeps the dotted text inside its buffer. */
		if (off + label + 1 > DNS_NAME_MAX ||
		    n + (n > 0) + label > sizeof(text))
			return -EINVAL;
		if (n > 0)
			text[n++] = '.';
		memcpy(text + n, p + off, label);
		n += label;
		off += label;
	}
	ym_strlcpy_clean(out, text, n, outlen);
	return 0;
}

/* Option 81 (RFC 4702): flags, two obsolete RCODE bytes, then the name in
 * ASCII or, with the E flag, in wire format. A malformed name leaves fqdn
 * empty and the rest of the message stands. */
static void dhcp_fqdn(struct ym_dhcp *d, const uint8_t *v, uint8_t olen)
{
	if (olen < 3)
		return;
	if (v[0] & FQDN_FLAG_E) {
		if (wire_name(v + 3, olen - 3u, d->fqdn, sizeof(d->fqdn)) < 0)
			d->fqdn[0] = '\0';
	} else {
		ym_strlcpy_clean(d->fqdn, (const char *)v + 3, olen - 3u,
				 sizeof(d->fqdn));
	}
}

int ym_dhcp_parse(const uint8_t *p, uint32_t len, struct ym_dhcp *d)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	uint32_t off;

	memset(d, 0, sizeof(*d));
	if (len < BOOTP_FIXED + DHCP_COOKIE_LEN)
		return -EINVAL;
	/* Ethernet hardware type with 6-byte addresses only. */
	if ((p[0] != 1 && p[0] != 2) || p[1] != 1 || p[2] != 6)
		return -EINVAL;
	if (memcmp(p + BOOTP_FIXED, cookie, 4) != 0)
		return -EINVAL;
	d->op = p[0];
	memcpy(d->ciaddr, p + 12, 4);
	memcpy(d->yiaddr, p + 16, 4);
	memcpy(d->chaddr, p + 28, 6);
	off = BOOTP_FIXED + DHCP_COOKIE_LEN;
	while (off < len) {
		uint8_t code = p[off], olen;
		const uint8_t *v;

		if (code == 255)
			break;
		if (code == 0) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return -EINVAL;
		olen = p[off + 1];
		if (off + 2 + olen > len)
			return -EINVAL;
		v = p + off + 2;
		switch (code) {
		case 53:
			if (olen >= 1)
				d->msg_type = v[0];
			break;
		case 12:
			if (olen >= 1) {
				d->has_hostname = true;
				ym_strlcpy_clean(d->hostname, (const char *)v,
						 olen, sizeof(d->hostname));
			}
			break;
		case 1:
		case 3:
		case 50:
		case 54:
			if (olen >= 4) {
				uint8_t *dst = code == 1 ? d->mask :
					       code == 3 ? d->router :
					       code == 50 ? d->requested :
							    d->server_id;

				memcpy(dst, v, 4);
				if (code == 1)
					d->has_mask = true;
				else if (code == 3)
					d->has_router = true;
				else if (code == 50)
					d->has_requested = true;
				else
					d->has_server_id = true;
			}
			break;
		case 55:
			d->n_params = olen > sizeof(d->params) ?
					      (uint8_t)sizeof(d->params) : olen;
			memcpy(d->params, v, d->n_params);
			break;
		case 57:
			if (olen >= 2)
				d->max_size = ym_be16(v, olen, 0);
			break;
		case 60:
			ym_strlcpy_clean(d->vendor_class, (const char *)v, olen,
					 sizeof(d->vendor_class));
			break;
		case 61:
			/* Kept raw: the type byte and the identifier are what
			 * ties a client to its leases. */
			d->client_id_len = olen > sizeof(d->client_id) ?
						   (uint8_t)sizeof(d->client_id) :
						   olen;
			memcpy(d->client_id, v, d->client_id_len);
			break;
		case 81:
			dhcp_fqdn(d, v, olen);
			break;
		default:
			break;
		}
		off += 2u + olen;
	}
	return 0;
}

/* Option 16 (RFC 8415 21.16): the enterprise number, then one or more
 * vendor-class-data items of 2-byte length and data. Every item must fit;
 * the first one is kept. */
static int dhcp6_vendor_class(struct ym_dhcp6 *d, const uint8_t *v,
			      uint16_t olen)
{
	uint32_t off = 4;
	bool first = true;

	if (olen < 4)
		return -EINVAL;
	d->enterprise = ym_be32(v, olen, 0);
	d->vendor_class[0] = '\0';
	while (off < olen) {
		uint16_t ilen;

		if (olen - off < 2)
			return -EINVAL;
		ilen = ym_be16(v, olen, off);
		if (ilen > olen - off - 2)
			return -EINVAL;
		if (first)
			ym_strlcpy_clean(d->vendor_class,
					 (const char *)v + off + 2, ilen,
					 sizeof(d->vendor_class));
		first = false;
		off += 2u + ilen;
	}
	return 0;
}

int ym_dhcp6_parse(const uint8_t *p, uint32_t len, struct ym_dhcp6 *d)
{
	uint32_t off = DHCP6_HEADER;

	memset(d, 0, sizeof(*d));
	if (len < DHCP6_HEADER)
		return -EINVAL;
	/* Relay messages have another layout (hop count and two addresses)
	 * and speak for a client elsewhere; type 0 is reserved. */
	if (p[0] == 0 || p[0] == DHCP6_RELAY_FORW || p[0] == DHCP6_RELAY_REPL)
		return -EINVAL;
	d->msg_type = p[0];
	while (off < len) {
		uint16_t code, olen;
		const uint8_t *v;

		if (len - off < DHCP6_OPT_HEADER)
			return -EINVAL;
		code = ym_be16(p, len, off);
		olen = ym_be16(p, len, off + 2);
		if (olen > len - off - DHCP6_OPT_HEADER)
			return -EINVAL;
		v = p + off + DHCP6_OPT_HEADER;
		switch (code) {
		case DHCP6_OPT_CLIENTID:
			d->duid_len = olen > sizeof(d->duid) ?
					      (uint8_t)sizeof(d->duid) :
					      (uint8_t)olen;
			memcpy(d->duid, v, d->duid_len);
			break;
		case DHCP6_OPT_ORO:
			/* A list of 16-bit option codes. */
			if (olen % 2 != 0)
				return -EINVAL;
			d->n_oro = 0;
			for (uint16_t i = 0;
			     i < olen && d->n_oro < YM_ARRAY_SIZE(d->oro);
			     i += 2)
				d->oro[d->n_oro++] = ym_be16(v, olen, i);
			break;
		case DHCP6_OPT_VENDOR_CLASS:
			if (dhcp6_vendor_class(d, v, olen) < 0)
				return -EINVAL;
			break;
		case DHCP6_OPT_CLIENT_FQDN:
			/* Flags, then the name; a malformed name leaves fqdn
			 * empty as for DHCPv4 option 81. */
			if (olen < 1)
				return -EINVAL;
			if (wire_name(v + 1, olen - 1u, d->fqdn,
				      sizeof(d->fqdn)) < 0)
				d->fqdn[0] = '\0';
			break;
		default:
			break;
		}
		off += DHCP6_OPT_HEADER + (uint32_t)olen;
	}
	return 0;
}
