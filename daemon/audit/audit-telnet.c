#define _GNU_SOURCE /* memmem, explicit_bzero */
/* Telnet logins: option negotiation (every DO and WILL refused, once per
 * option, so two refusing ends cannot loop), terminal escapes stripped, and
 * the prompts of BusyBox and embedded devices read from the screen.
 *
 * A prompt is only acted on once the device has gone quiet (the transport
 * calls ym_telnet_quiet): banners are full of '#' and '>' and of words like
 * "login:", and a prompt is the one thing after which a device waits. A
 * failure message needs no such wait. */
#include "audit-proto.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

enum { ST_WAIT_LOGIN, ST_WAIT_PASS, ST_WAIT_RESULT, ST_DONE };

enum { IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250,
       SE = 240 };

/* Messages that say the user or the password was wrong, lower case. "failed
 * login" is not one: Linux says "There were 3 failed login attempts" after
 * a successful login. */
static const char *const failures[] = {
	"incorrect",	 "login failed",     "authentication failed",
	"auth failed",	 "access denied",    "permission denied",
	"invalid password", "invalid login", "invalid user",
	"bad password",	 "wrong password",   "login invalid",
	"password error", "% bad passwords",
};

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

enum ym_telnet_screen ym_telnet_classify(const char *text, size_t len)
{
	char low[YM_TELNET_SCREEN_MAX];
	const char *line;
	size_t n, llen;

	if (len > sizeof(low)) {
		text += len - sizeof(low);
		len = sizeof(low);
	}
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)text[i]);
	for (size_t i = 0; i < YM_ARRAY_SIZE(failures); i++)
		if (contains(low, len, failures[i]))
			return YM_TS_FAILED;
	/* The last line, without the spaces a prompt ends with. */
	n = len;
	while (n > 0 && low[n - 1] == ' ')
		n--;
	line = low;
	for (size_t i = n; i > 0; i--) {
		if (low[i - 1] == '\n') {
			line = low + i;
			break;
		}
	}
	llen = (size_t)(low + n - line);
	if (llen == 0)
		return YM_TS_NONE;
	/* "User Name :" reads as "User Name:". */
	if (line[llen - 1] == ':') {
		size_t k = llen - 1;

		while (k > 0 && line[k - 1] == ' ')
			k--;
		low[line - low + (ptrdiff_t)k] = ':';
		llen = k + 1;
	}
	if (ends_with(line, llen, "login:")) {
		if (llen >= 10 && memcmp(line, "last login", 10) == 0)
			return YM_TS_NONE;
		return YM_TS_LOGIN;
	}
	if (ends_with(line, llen, "username:") ||
	    ends_with(line, llen, "user name:") ||
	    ends_with(line, llen, "user:") ||
	    ends_with(line, llen, "login as:") ||
	    ends_with(line, llen, "account:"))
		return YM_TS_LOGIN;
	if ((contains(line, llen, "password") ||
	     contains(line, llen, "passwd") ||
	     contains(line, llen, "passcode")) &&
	    line[llen - 1] == ':')
		return YM_TS_PASSWORD;
	/* A shell prompt: a short last line ending in #, $, > or %. */
	if (llen <= 80 && strchr("#$>%", line[llen - 1]))
		return YM_TS_SHELL;
	if (contains(low, len, "busybox v") &&
	    contains(low, len, "built-in shell"))
		return YM_TS_SHELL;
	return YM_TS_NONE;
}

void ym_telnet_start(struct ym_telnet *t, const char *user, const char *pass)
{
	memset(t, 0, sizeof(*t));
	t->user = user;
	t->pass = pass;
	t->state = ST_WAIT_LOGIN;
}

static void screen_add(struct ym_telnet *t, char c)
{
	if (t->screen_len == sizeof(t->screen)) {
		/* Keep the newer half: prompts are at the end. */
		size_t half = sizeof(t->screen) / 2;

		memmove(t->screen, t->screen + half, sizeof(t->screen) - half);
		t->screen_len -= half;
	}
	t->screen[t->screen_len++] = c;
}

/* One byte of terminal output, after telnet commands were taken out. */
static void data_byte(struct ym_telnet *t, uint8_t b)
{
	if (t->esc == 1) {
		t->esc = b == '[' ? 2 : 0;
		return;
	}
	if (t->esc == 2) {
		if (b >= 0x40 && b <= 0x7e)
			t->esc = 0;
		return;
	}
	if (b == 0x1b) {
		t->esc = 1;
		return;
	}
	if (b == '\r' || b == '\n')
		screen_add(t, '\n');
	else if (b == '\t')
		screen_add(t, ' ');
	else if (b >= 0x20 && b != 0x7f)
		screen_add(t, (char)b);
}

static void refuse_option(struct ym_telnet *t, uint8_t cmd, uint8_t opt,
			  struct ym_audit_out *out)
{
	uint8_t bit = cmd == DO ? 1 : 2;
	uint8_t reply[3] = { IAC, cmd == DO ? WONT : DONT, opt };

	if (t->answered[opt] & bit)
		return;
	t->answered[opt] |= bit;
	ym_audit_out_add(out, reply, sizeof(reply));
}

static void send_line(struct ym_telnet *t, const char *s,
		      struct ym_audit_out *out)
{
	/* A telnet end of line is CR LF. */
	ym_audit_out_add(out, s, strlen(s));
	ym_audit_out_add(out, "\r\n", 2);
	t->screen_len = 0;
}

enum ym_av ym_telnet_feed(struct ym_telnet *t, const uint8_t *data,
			  size_t len, struct ym_audit_out *out)
{
	if (t->state == ST_DONE)
		return YM_AV_MORE;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = data[i];

		switch (t->iac) {
		case 0:
			if (b == IAC)
				t->iac = 1;
			else
				data_byte(t, b);
			break;
		case 1:
			if (b == IAC) {
				data_byte(t, b);
				t->iac = 0;
			} else if (b >= WILL) {
				t->iac_cmd = b;
				t->iac = 2;
			} else {
				t->iac = b == SB ? 3 : 0;
			}
			break;
		case 2:
			if (t->iac_cmd == DO || t->iac_cmd == WILL)
				refuse_option(t, t->iac_cmd, b, out);
			t->iac = 0;
			break;
		case 3: /* inside a subnegotiation: skipped */
			if (b == IAC)
				t->iac = 4;
			break;
		default:
			t->iac = b == SE ? 0 : 3;
			break;
		}
	}
	/* A failure message is enough on its own, once a login is under way. */
	if (t->state != ST_WAIT_LOGIN &&
	    ym_telnet_classify(t->screen, t->screen_len) == YM_TS_FAILED) {
		t->state = ST_DONE;
		return YM_AV_REFUSED;
	}
	return YM_AV_MORE;
}

enum ym_av ym_telnet_quiet(struct ym_telnet *t, struct ym_audit_out *out)
{
	enum ym_telnet_screen s = ym_telnet_classify(t->screen, t->screen_len);

	switch (t->state) {
	case ST_WAIT_LOGIN:
		if (s == YM_TS_LOGIN || s == YM_TS_PASSWORD) {
			if (!t->user) {
				t->state = ST_DONE;
				return YM_AV_LOGIN;
			}
			if (s == YM_TS_LOGIN) {
				send_line(t, t->user, out);
				t->state = ST_WAIT_PASS;
			} else {
				/* Devices that only ask for a password. */
				t->password_only = true;
				send_line(t, t->pass, out);
				t->state = ST_WAIT_RESULT;
			}
			return YM_AV_MORE;
		}
		if (s == YM_TS_SHELL) {
			t->state = ST_DONE;
			return YM_AV_OPEN;
		}
		if (s == YM_TS_FAILED) {
			t->state = ST_DONE;
			return YM_AV_ERROR;
		}
		return YM_AV_MORE;
	case ST_WAIT_PASS:
		if (s == YM_TS_PASSWORD) {
			send_line(t, t->pass, out);
			t->state = ST_WAIT_RESULT;
			return YM_AV_MORE;
		}
		/* A shell without a password prompt: the account has none. */
		if (s == YM_TS_SHELL) {
			t->state = ST_DONE;
			return YM_AV_ACCEPTED;
		}
		if (s == YM_TS_LOGIN || s == YM_TS_FAILED) {
			t->state = ST_DONE;
			return YM_AV_REFUSED;
		}
		return YM_AV_MORE;
	case ST_WAIT_RESULT:
		if (s == YM_TS_SHELL) {
			t->state = ST_DONE;
			return YM_AV_ACCEPTED;
		}
		if (s != YM_TS_NONE) {
			t->state = ST_DONE;
			return YM_AV_REFUSED;
		}
		return YM_AV_MORE;
	default:
		return YM_AV_MORE;
	}
}

enum ym_av ym_telnet_eof(struct ym_telnet *t)
{
	struct ym_audit_out ignored = { .len = 0 };
	enum ym_av v;

	/* What is on the screen decides first (nothing more can be sent). */
	if (t->state == ST_WAIT_RESULT || t->state == ST_WAIT_PASS) {
		v = ym_telnet_quiet(t, &ignored);
		if (v != YM_AV_MORE && t->state == ST_DONE)
			return v;
	}
	/* Hanging up after the user name or the password is a refusal. */
	if (t->state == ST_WAIT_PASS || t->state == ST_WAIT_RESULT)
		return YM_AV_REFUSED;
	return YM_AV_ERROR;
}
