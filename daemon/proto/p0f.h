/* TCP SYN fingerprints in the form of p0f 3 (its README, "TCP
 * signatures"): the tuple a device's own SYN shows (IP version, TTL, IP
 * option length, MSS, window size and scale, the layout of its TCP
 * options, header quirks, payload), and signatures to match it against.
 * Pure functions of bytes and text: nothing here knows devices. */
#ifndef YM_P0F_H
#define YM_P0F_H

#include <stdbool.h>
#include <stdint.h>

#define YM_SYN_LAYOUT_MAX 96

/* Quirks, as p0f names them. */
enum {
	YM_SYN_DF = 1u << 0,         /* df: don't fragment (IPv4) */
	YM_SYN_ID_PLUS = 1u << 1,    /* id+: DF set, IP ID not zero */
	YM_SYN_ID_MINUS = 1u << 2,   /* id-: DF not set, IP ID zero */
	YM_SYN_ECN = 1u << 3,        /* ecn */
	YM_SYN_ZERO_PLUS = 1u << 4,  /* 0+: the IPv4 must-be-zero bit set */
	YM_SYN_FLOW = 1u << 5,       /* flow: IPv6 flow label not zero */
	YM_SYN_SEQ_MINUS = 1u << 6,  /* seq-: sequence number zero */
	YM_SYN_ACK_PLUS = 1u << 7,   /* ack+: ACK number, no ACK flag */
	YM_SYN_ACK_MINUS = 1u << 8,  /* ack-: ACK flag, ACK number zero */
	YM_SYN_UPTR_PLUS = 1u << 9,  /* uptr+: URG pointer, no URG flag */
	YM_SYN_URGF_PLUS = 1u << 10, /* urgf+ */
	YM_SYN_PUSHF_PLUS = 1u << 11, /* pushf+ */
	YM_SYN_TS1_MINUS = 1u << 12, /* ts1-: own timestamp zero */
	YM_SYN_TS2_PLUS = 1u << 13,  /* ts2+: peer timestamp on a SYN */
	YM_SYN_OPT_PLUS = 1u << 14,  /* opt+: data after the options' end */
	YM_SYN_EXWS = 1u << 15,      /* exws: window scale above 14 */
	YM_SYN_BAD = 1u << 16,       /* bad: malformed options */
};

/* The IPv4-only and IPv6-only quirks: a signature for both versions
 * ignores those of its own quirks that the packet's version cannot
 * have. */
#define YM_SYN_V4_ONLY                                                       \
	(YM_SYN_DF | YM_SYN_ID_PLUS | YM_SYN_ID_MINUS | YM_SYN_ZERO_PLUS)
#define YM_SYN_V6_ONLY YM_SYN_FLOW

/* What one SYN shows. */
struct ym_syn {
	uint8_t ver;      /* 4 or 6 */
	uint8_t ttl;      /* as seen on the wire */
	uint8_t olen;     /* IPv4 option bytes (IPv6: 0) */
	int32_t mss;      /* -1: no MSS option */
	uint16_t wsize;
	uint8_t scale;    /* 0 without a window scale option */
	uint32_t quirks;
	bool payload;
	/* The window as p0f reads it: N times the MSS (or, win_mtu, an
	 * MTU), 0 when it is no such multiple. */
	uint16_t win_multi;
	bool win_mtu;
	char olayout[YM_SYN_LAYOUT_MAX]; /* "mss,sok,ts,nop,ws" */
};

/* Reads the tuple of an initial SYN (SYN without ACK) from its IP packet,
 * the IP header first, len bytes captured. False for any other packet or
 * one cut before the end of its TCP header. */
bool ym_syn_read(const uint8_t *ip, uint32_t len, struct ym_syn *out);

enum {
	YM_SYN_WIN_ANY,
	YM_SYN_WIN_FIXED, /* 65535 */
	YM_SYN_WIN_MSS,   /* mss*N */
	YM_SYN_WIN_MTU,   /* mtu*N */
	YM_SYN_WIN_MOD,   /* %N */
};

/* A signature: "ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass". */
struct ym_syn_sig {
	uint8_t ver;      /* 0: either */
	uint8_t ittl;
	bool bad_ttl;     /* "64-": a tool that picks random TTLs up to it */
	uint8_t olen;
	int32_t mss;      /* -1: any */
	uint8_t wtype;
	uint32_t wval;
	int16_t scale;    /* -1: any */
	int8_t pclass;    /* -1: any, 0: no payload, 1: payload */
	uint32_t quirks;
	char olayout[YM_SYN_LAYOUT_MAX];
};

/* Parses a signature; 0, or -1 with why (a short reason) filled. */
int ym_syn_sig_parse(const char *text, struct ym_syn_sig *out,
		     const char **why);

/* True when the SYN matches the signature as p0f 3 matches: a TTL at
 * most 35 below the signature's initial TTL, and every other field equal
 * or allowed by a wildcard. With fuzzy, p0f's second try: the quirks df
 * and id+ may be missing and id- and ecn may be there. */
bool ym_syn_sig_match(const struct ym_syn_sig *sig, const struct ym_syn *syn,
		      bool fuzzy);

#endif
