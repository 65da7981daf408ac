/* FTP logins: USER and PASS, 230 accepted, 530 refused (RFC 959). The
 * anonymous account is not a factory password and is never tried. */
#include "audit-proto.h"

#include <string.h>

enum { ST_BANNER, ST_USER, ST_PASS, ST_DONE };

void ym_ftp_start(struct ym_ftp *f, const char *user, const char *pass)
{
	memset(f, 0, sizeof(*f));
	f->user = user;
	f->pass = pass;
	f->state = ST_BANNER;
}

static void send_cmd(struct ym_audit_out *out, const char *cmd,
		     const char *arg)
{
	ym_audit_out_add(out, cmd, strlen(cmd));
	if (arg) {
		ym_audit_out_add(out, " ", 1);
		ym_audit_out_add(out, arg, strlen(arg));
	}
	ym_audit_out_add(out, "\r\n", 2);
}

/* The reply code of a line: 100..599, or 0. */
static int reply_code(const char *line, size_t len, char *sep)
{
	if (len < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9')
		return 0;
	*sep = len > 3 ? line[3] : ' ';
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* Acts on the last line of a complete reply. */
static enum ym_av on_reply(struct ym_ftp *f, int code,
			   struct ym_audit_out *out)
{
	switch (f->state) {
	case ST_BANNER:
		if (code == 120) /* "ready in a few minutes": wait */
			return YM_AV_MORE;
		if (code != 220) {
			f->state = ST_DONE;
			return code == 421 ? YM_AV_ERROR : YM_AV_ABSENT;
		}
		if (!f->user) {
			send_cmd(out, "QUIT", NULL);
			f->state = ST_DONE;
			return YM_AV_LOGIN;
		}
		send_cmd(out, "USER", f->user);
		f->state = ST_USER;
		return YM_AV_MORE;
	case ST_USER:
		if (code == 331 || code == 332) {
			send_cmd(out, "PASS", f->pass);
			f->state = ST_PASS;
			return YM_AV_MORE;
		}
		f->state = ST_DONE;
		send_cmd(out, "QUIT", NULL);
		/* 230 right after USER: this account needs no password. */
		if (code == 230)
			return YM_AV_ACCEPTED;
		return code >= 500 ? YM_AV_REFUSED : YM_AV_ERROR;
	case ST_PASS:
		f->state = ST_DONE;
		send_cmd(out, "QUIT", NULL);
		if (code == 230 || code == 202)
			return YM_AV_ACCEPTED;
		return code >= 500 ? YM_AV_REFUSED : YM_AV_ERROR;
	default:
		return YM_AV_MORE;
	}
}

/* One complete line (without its end). */
static enum ym_av on_line(struct ym_ftp *f, struct ym_audit_out *out)
{
	char sep = ' ';
	int code = reply_code(f->line, f->len, &sep);

	if (f->multi) {
		/* Inside "NNN-" ... "NNN ": other lines are text. */
		if (code == f->multi && sep == ' ') {
			f->multi = 0;
			return on_reply(f, code, out);
		}
		return YM_AV_MORE;
	}
	if (code == 0) {
		bool banner = f->state == ST_BANNER;

		/* Not an FTP reply: another protocol, or garbage. */
		f->state = ST_DONE;
		return banner ? YM_AV_ABSENT : YM_AV_ERROR;
	}
	if (sep == '-') {
		f->multi = code;
		return YM_AV_MORE;
	}
	return on_reply(f, code, out);
}

enum ym_av ym_ftp_feed(struct ym_ftp *f, const uint8_t *data, size_t len,
		       struct ym_audit_out *out)
{
	for (size_t i = 0; i < len && f->state != ST_DONE; i++) {
		enum ym_av v;

		if (data[i] != '\n') {
			/* A longer line keeps its start: the code is there. */
			if (f->len < sizeof(f->line) - 1)
				f->line[f->len++] = (char)data[i];
			continue;
		}
		if (f->len && f->line[f->len - 1] == '\r')
			f->len--;
		f->line[f->len] = '\0';
		v = on_line(f, out);
		f->len = 0;
		if (v != YM_AV_MORE)
			return v;
	}
	return YM_AV_MORE;
}

enum ym_av ym_ftp_eof(struct ym_ftp *f)
{
	/* Hanging up after the password is a refusal (some servers do). */
	return f->state == ST_PASS ? YM_AV_REFUSED : YM_AV_ERROR;
}
