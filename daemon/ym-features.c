#include "ym-features.h"

#include <errno.h>
#include <stdio.h>

#include "util.h"

/* The CMake options set these to 0 or 1 (daemon/CMakeLists.txt). */
static const struct ym_feature features[] = {
	{ "nft_isolation", "libnftables", YM_HAVE_NFT },
	{ "ssh_checks", "libssh", YM_HAVE_SSH },
	{ "tls_checks", "OpenSSL", YM_HAVE_TLS },
	{ "update_download", "libcurl", YM_HAVE_FETCH },
	{ "fleet_reports", "libmosquitto", YM_HAVE_FLEET },
};

const struct ym_feature *ym_features(size_t *n)
{
	*n = YM_ARRAY_SIZE(features);
	return features;
}

int ym_features_check_config(const struct ym_config *cfg, char *err,
			     size_t errlen)
{
	if (cfg->isolate == YM_ISOLATE_NFT && !YM_HAVE_NFT) {
		snprintf(err, errlen, "isolate = nft: this yamorid was built "
			 "without nftables (YAMORI_NFT=OFF); use arp or none");
		return -ENOTSUP;
	}
	if (cfg->update_url[0] && !YM_HAVE_FETCH) {
		snprintf(err, errlen, "update_url: this yamorid was built "
			 "without libcurl (YAMORI_FETCH=OFF) and cannot "
			 "download updates; yamorictl update FILE still works");
		return -ENOTSUP;
	}
	if (cfg->fleet && !YM_HAVE_FLEET) {
		snprintf(err, errlen, "fleet = on: this yamorid was built "
			 "without libmosquitto (YAMORI_FLEET=OFF) and cannot "
			 "send fleet reports");
		return -ENOTSUP;
	}
	return 0;
}
