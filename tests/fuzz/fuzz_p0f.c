/* libFuzzer harness for p0f's SYN fingerprints (proto/p0f.c): the first
 * byte chooses. Even: the rest is an IP packet read as a SYN, and a SYN
 * read is matched against signatures of every window kind. Odd: the rest
 * is a signature's text, and a signature parsed is matched against a
 * Linux SYN. The layout must end inside its buffer; a refusal must say
 * why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p0f.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sigs[] = {
	"*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0",
	"*:128:0:*:%8192,*:mss,nop,ws,nop,nop,sok:df,id+:0",
	"4:64-:0:1460:mtu*4,*:mss,sok,ts,nop,ws::*",
	"6:255:0:*:*,*:mss,nop,eol+1:flow:+",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_syn syn;
	struct ym_syn_sig sig;
	const char *why = NULL;
	char text[300];

	if (size < 1 || size > 4096)
		return 0;
	if (data[0] % 2 == 0) {
		memset(&syn, 0x5a, sizeof(syn));
		if (!ym_syn_read(data + 1, (uint32_t)(size - 1), &syn))
			return 0;
		CHECK_STR(syn.olayout);
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			if (ym_syn_sig_parse(sigs[i], &sig, &why) != 0)
				abort();
			(void)ym_syn_sig_match(&sig, &syn, data[0] & 2);
		}
		return 0;
	}
	if (size - 1 >= sizeof(text))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memset(&sig, 0x5a, sizeof(sig));
	if (ym_syn_sig_parse(text, &sig, &why) != 0) {
		if (!why || !why[0])
			abort();
		return 0;
	}
	CHECK_STR(sig.olayout);
	memset(&syn, 0, sizeof(syn));
	syn.ver = 4;
	syn.ttl = 64;
	syn.mss = 1460;
	syn.wsize = 29200;
	syn.scale = 7;
	snprintf(syn.olayout, sizeof(syn.olayout), "mss,sok,ts,nop,ws");
	(void)ym_syn_sig_match(&sig, &syn, data[0] & 2);
	return 0;
}
