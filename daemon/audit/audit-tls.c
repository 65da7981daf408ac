/* TLS for the audit's HTTPS checks, with OpenSSL through memory BIOs: the
 * device's bytes go in, what TLS wants sent comes out, and the socket stays
 * libuv's (audit-conn.c). Built with YAMORI_TLS only; without it the stubs
 * in audit-private.h answer "not supported". */
#include "audit-private.h"

#include <errno.h>
#include <limits.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* The two are OpenSSL's own objects under names of ours. */
struct ym_tls_ctx;
struct ym_tls;

static SSL *ssl_of(struct ym_tls *t)
{
	return (SSL *)t;
}

/* The TLS settings: a device's web page on the LAN, with a self-signed
 * certificate and often old TLS. Its identity is not checked: what is sent
 * is a published factory default, which is no secret, and the question is
 * only whether the device takes it. */
int ym_tls_ctx_new(struct ym_tls_ctx **out)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	*out = NULL;
	if (!ctx)
		return -ENOMEM;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	/* Old cameras: TLS 1.0, SHA-1, small keys, no secure renegotiation,
	 * no close_notify. */
	SSL_CTX_set_security_level(ctx, 0);
	(void)SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT |
					 SSL_OP_IGNORE_UNEXPECTED_EOF |
					 SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	*out = (struct ym_tls_ctx *)ctx;
	return 0;
}

void ym_tls_ctx_free(struct ym_tls_ctx *ctx)
{
	SSL_CTX_free((SSL_CTX *)ctx); /* each SSL holds a reference */
}

struct ym_tls *ym_tls_new(struct ym_tls_ctx *ctx)
{
	SSL *ssl = SSL_new((SSL_CTX *)ctx);
	BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());

	if (!ssl || !rbio || !wbio) {
		SSL_free(ssl);
		BIO_free(rbio);
		BIO_free(wbio);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_bio(ssl, rbio, wbio);
	SSL_set_connect_state(ssl);
	/* The ClientHello, queued for ym_tls_pull. */
	(void)SSL_do_handshake(ssl);
	ERR_clear_error();
	return (struct ym_tls *)ssl;
}

void ym_tls_free(struct ym_tls *t)
{
	SSL_free(ssl_of(t)); /* and its BIOs */
}

int ym_tls_push(struct ym_tls *t, const void *data, size_t len)
{
	if (len > INT_MAX ||
	    BIO_write(SSL_get_rbio(ssl_of(t)), data, (int)len) != (int)len)
		return -ENOMEM;
	return 0;
}

int ym_tls_handshake(struct ym_tls *t)
{
	int r = SSL_do_handshake(ssl_of(t)), e;

	if (r == 1)
		return 1;
	e = SSL_get_error(ssl_of(t), r);
	ERR_clear_error();
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return YM_TLS_WANT;
	return YM_TLS_FAILED;
}

int ym_tls_read(struct ym_tls *t, void *buf, size_t len)
{
	int r = SSL_read(ssl_of(t), buf, len > INT_MAX ? INT_MAX : (int)len);
	int e;

	if (r > 0)
		return r;
	e = SSL_get_error(ssl_of(t), r);
	ERR_clear_error();
	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return YM_TLS_WANT;
	case SSL_ERROR_ZERO_RETURN:
		return YM_TLS_CLOSED;
	default:
		return YM_TLS_FAILED;
	}
}

void ym_tls_write(struct ym_tls *t, const void *data, size_t len)
{
	/* A memory BIO takes any amount: one call writes it all. */
	if (len && len <= INT_MAX)
		(void)SSL_write(ssl_of(t), data, (int)len);
}

void ym_tls_shutdown(struct ym_tls *t)
{
	(void)SSL_shutdown(ssl_of(t));
	ERR_clear_error();
}

size_t ym_tls_pull(struct ym_tls *t, void *buf, size_t len)
{
	int n = BIO_read(SSL_get_wbio(ssl_of(t)), buf,
			 len > INT_MAX ? INT_MAX : (int)len);

	return n > 0 ? (size_t)n : 0;
}
