#include "dns.h"

#include <errno.h>
#include <string.h>

#define DNS_HDR 12
#define DNS_RR_FIXED 10    /* type, class, ttl, rdlength */
#define DNS_LABEL_MAX 63
#define DNS_WIRE_NAME_MAX 255

/* Compression pointers followed per name: every pointer must already point
 * backwards, so this only caps the work; real names need one or two. */
#define DNS_MAX_JUMPS 32

/* Records walked per message: a hostile message of minimal records could
 * otherwise cost a thousand callbacks; real mDNS announcements carry a few
 * dozen at most. */
#define DNS_MAX_RECORDS 256

#define DNS_CNAME 5
#define DNS_NS 2
#define DNS_CLASS_MASK 0x7fff

#define NB_ENCODED_LEN 32
#define NB_TYPE_NB 0x0020
#define NB_OP_QUERY 0
#define NB_OP_REGISTER 5
#define NB_OP_REFRESH 8
#define NB_OP_REFRESH_ALT 9
#define NB_OP_MULTIHOMED 15

bool ym_dns_is_response(const uint8_t *msg, uint32_t len)
{
	return len >= DNS_HDR && (msg[2] & 0x80);
}

/* Appends one label to the dotted name. A NUL byte inside the label becomes
 * '?' like any other control character instead of ending the label early,
 * which would glue the next label onto a truncated one. */
static void append_label(char *out, size_t *n, const uint8_t *label,
			 uint8_t llen)
{
	char tmp[DNS_LABEL_MAX + 1];

	for (uint8_t i = 0; i < llen; i++)
		tmp[i] = label[i] ? (char)label[i] : '?';
	if (*n > 0 && *n + 1 < YM_DNS_NAME_MAX)
		out[(*n)++] = '.';
	ym_strlcpy_clean(out + *n, tmp, llen, YM_DNS_NAME_MAX - *n);
	*n += strlen(out + *n);
}

/* Reads the possibly compressed name at *off into out and moves *off past
 * the name as it sits in the record (a pointer ends it). 0 or -EINVAL. */
static int read_name(const uint8_t *msg, uint32_t len, uint32_t *off,
		     char out[YM_DNS_NAME_MAX])
{
	uint32_t pos = *off, seg = *off, end = 0;
	unsigned int jumps = 0, wire = 1;
	size_t n = 0;

	out[0] = '\0';
	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -EINVAL;
		c = msg[pos];
		if (c == 0) {
			if (jumps == 0)
				end = pos + 1;
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			uint32_t ptr;

			if (len - pos < 2)
				return -EINVAL;
			ptr = (uint32_t)(c & 0x3f) << 8 | msg[pos + 1];
			/* A pointer must land strictly before the run of labels
			 * it ends, and after the header: targets then only ever
			 * move backwards, so no loop can form. */
			if (ptr >= seg || ptr < DNS_HDR)
				return -EINVAL;
			if (++jumps > DNS_MAX_JUMPS)
				return -EINVAL;
			if (jumps == 1)
				end = pos + 2;
			pos = seg = ptr;
			continue;
		}
		/* 0x40 and 0x80 are the obsolete extended label types, which
		 * also covers every length above 63. */
		if (c > DNS_LABEL_MAX)
			return -EINVAL;
		if (c >= len - pos)
			return -EINVAL;
		wire += 1u + c;
		if (wire > DNS_WIRE_NAME_MAX)
			return -EINVAL;
		append_label(out, &n, msg + pos + 1, c);
		pos += 1u + c;
	}
	*off = end;
	return 0;
}

/* Decodes the rdata Yamori uses. Empty rdata is left undecoded, since DNS
 * UPDATE uses it to delete record sets; rdata that does not fit its type is
 * malformed. */
static int decode_rdata(const uint8_t *msg, uint32_t len, uint32_t rdoff,
			struct ym_dns_rr *rr)
{
	uint32_t end = rdoff + rr->rdlen, off = rdoff;

	if (rr->rdlen == 0)
		return 0;
	switch (rr->type) {
	case YM_DNS_A:
		if (rr->rdlen != 4)
			return -EINVAL;
		ym_addr_set4(&rr->addr, rr->rdata);
		return 0;
	case YM_DNS_AAAA:
		if (rr->rdlen != 16)
			return -EINVAL;
		ym_addr_set6(&rr->addr, rr->rdata);
		return 0;
	case YM_DNS_SRV:
		/* Priority and weight come first; Yamori keeps only the port
		 * and the target. */
		if (rr->rdlen < 7)
			return -EINVAL;
		rr->port = ym_be16(rr->rdata, rr->rdlen, 4);
		off += 6;
		break;
	case YM_DNS_PTR:
	case DNS_CNAME:
	case DNS_NS:
		break;
	default:
		return 0;
	}
	/* The name may point anywhere earlier in the message, but what it
	 * holds in place must end inside the rdata. */
	if (read_name(msg, len, &off, rr->target) < 0 || off > end) {
		rr->target[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

int ym_dns_walk(const uint8_t *msg, uint32_t len,
		int (*fn)(const struct ym_dns_rr *rr, void *arg), void *arg)
{
	struct ym_dns_rr rr;
	uint32_t off = DNS_HDR, walked = 0;
	int ret;

	if (len < DNS_HDR)
		return -EINVAL;
	for (int s = YM_DNS_QUESTION; s <= YM_DNS_ADDITIONAL; s++) {
		uint16_t count = ym_be16(msg, len, 4 + 2 * s);

		for (uint16_t i = 0; i < count; i++) {
			/* The limit ends the walk like the end of the message
			 * would: what was read so far was well formed. */
			if (++walked > DNS_MAX_RECORDS)
				return 0;
			memset(&rr, 0, sizeof(rr));
			rr.section = (enum ym_dns_section)s;
			if (read_name(msg, len, &off, rr.name) < 0)
				return -EINVAL;
			if (s == YM_DNS_QUESTION) {
				if (len - off < 4)
					return -EINVAL;
				rr.type = ym_be16(msg, len, off);
				rr.klass = ym_be16(msg, len, off + 2) &
					   DNS_CLASS_MASK;
				off += 4;
			} else {
				if (len - off < DNS_RR_FIXED)
					return -EINVAL;
				rr.type = ym_be16(msg, len, off);
				rr.klass = ym_be16(msg, len, off + 2) &
					   DNS_CLASS_MASK;
				rr.rdlen = ym_be16(msg, len, off + 8);
				off += DNS_RR_FIXED;
				if (rr.rdlen > len - off)
					return -EINVAL;
				rr.rdata = msg + off;
				if (decode_rdata(msg, len, off, &rr) < 0)
					return -EINVAL;
				off += rr.rdlen;
			}
			ret = fn(&rr, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int ym_dns_txt_next(const uint8_t **p, uint16_t *left, char *out,
		    size_t outlen)
{
	uint8_t slen;

	if (outlen > 0)
		out[0] = '\0';
	if (*left == 0)
		return 0;
	slen = (*p)[0];
	if (slen >= *left)
		return -EINVAL;
	ym_strlcpy_clean(out, (const char *)*p + 1, slen, outlen);
	*p += 1u + slen;
	*left = (uint16_t)(*left - 1u - slen);
	return 1;
}

/* Skips the NetBIOS scope after the encoded name: plain labels up to the
 * root, no compression this early in the message. */
static int nb_skip_scope(const uint8_t *msg, uint32_t len, uint32_t *off)
{
	uint32_t pos = *off;
	unsigned int wire = 1u + 1u + NB_ENCODED_LEN;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -EINVAL;
		c = msg[pos];
		if (c == 0)
			break;
		if (c > DNS_LABEL_MAX || c >= len - pos)
			return -EINVAL;
		wire += 1u + c;
		if (wire > DNS_WIRE_NAME_MAX)
			return -EINVAL;
		pos += 1u + c;
	}
	*off = pos + 1;
	return 0;
}

int ym_netbios_name(const uint8_t *msg, uint32_t len, char out[16],
		    uint8_t *suffix, bool *own)
{
	uint8_t raw[16];
	uint16_t flags, qdcount, ancount, type;
	uint8_t opcode, rcode;
	uint32_t off = DNS_HDR;
	size_t n;

	out[0] = '\0';
	*suffix = 0;
	*own = false;
	if (len < DNS_HDR + 1u + NB_ENCODED_LEN)
		return -EINVAL;
	flags = ym_be16(msg, len, 2);
	qdcount = ym_be16(msg, len, 4);
	ancount = ym_be16(msg, len, 6);
	if (qdcount == 0 && ancount == 0)
		return -EINVAL;
	if (msg[off] != NB_ENCODED_LEN)
		return -EINVAL;
	off++;
	for (int i = 0; i < 16; i++) {
		uint8_t hi = msg[off + 2 * i], lo = msg[off + 2 * i + 1];

		if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
			return -EINVAL;
		raw[i] = (uint8_t)((hi - 'A') << 4 | (lo - 'A'));
	}
	off += NB_ENCODED_LEN;
	if (nb_skip_scope(msg, len, &off) < 0)
		return -EINVAL;
	/* Both a question and a resource record go on with type and class. */
	if (len - off < 4)
		return -EINVAL;
	type = ym_be16(msg, len, off);

	/* The first 15 bytes are the name padded with spaces (NUL after "*"
	 * in status queries); the 16th is the service suffix. */
	ym_strlcpy_clean(out, (const char *)raw, 15, 16);
	n = strlen(out);
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
	*suffix = raw[15];

	opcode = (uint8_t)(flags >> 11 & 0xf);
	rcode = (uint8_t)(flags & 0xf);
	/* Only NB records name a host; a node status answer repeats the name
	 * that was asked for, often "*". */
	if (type != NB_TYPE_NB)
		return 0;
	if (!(flags & 0x8000))
		*own = opcode == NB_OP_REGISTER || opcode == NB_OP_REFRESH ||
		       opcode == NB_OP_REFRESH_ALT ||
		       opcode == NB_OP_MULTIHOMED;
	else
		*own = rcode == 0 && ancount > 0 &&
		       (opcode == NB_OP_QUERY || opcode == NB_OP_REGISTER);
	return 0;
}
