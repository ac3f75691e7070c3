/*
 * The report by mail: one MIME message (RFC 2045/2046) built from the
 * text and HTML reports, written to sendmail(1)'s standard input. The
 * text part is quoted-printable, so it stays readable in the raw
 * message; the HTML part is base64 (its lines may be long). The
 * boundary starts with "=_", which neither encoding can produce, so no
 * body line can be taken for it. Headers carry only what this file
 * writes or checked ASCII (mail_addr_ok, the caller's subject): nothing
 * from a log reaches them unchecked.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mxtally/log.h"
#include "mxtally/mail.h"

#define QP_LINE		76	/* RFC 2045: at most 76 characters a line */

int
mail_addr_ok(const char *a)
{
	const char	*p;

	if (a[0] == '\0' || a[0] == '-' || a[0] == '@' || strlen(a) > 254)
		return 0;
	for (p = a; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~' || strchr(",;<>\"()[]\\", *p) != NULL)
			return 0;
	return 1;
}

/* Quoted-printable body of s[0..n), lines cut softly before 76. */
static void
qp_write(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t		 col = 0, w;
	char		 e[4];
	int		 lit;

	for (; p < end; p++) {
		if (*p == '\n') {
			fputc('\n', f);
			col = 0;
			continue;
		}
		/* a space before a line end, "From " and "." at a line
		 * start are encoded, so no relay can change them */
		lit = *p >= 33 && *p <= 126 && *p != '=';
		if ((*p == ' ' || *p == '\t') && p + 1 < end && p[1] != '\n')
			lit = 1;
		if (col == 0 && (*p == '.' || (*p == 'F' && end - p >= 5 &&
		    memcmp(p, "From ", 5) == 0)))
			lit = 0;
		w = lit ? 1 : 3;
		if (col + w > QP_LINE - 1) {
			fputs("=\n", f);
			col = 0;
		}
		if (lit) {
			fputc(*p, f);
		} else {
			e[0] = '=';
			e[1] = hex[*p >> 4];
			e[2] = hex[*p & 15];
			e[3] = '\0';
			fputs(e, f);
		}
		col += w;
	}
	if (col != 0)
		fputc('\n', f);
}

/* Base64 body of s[0..n), 76 characters a line. */
static void
b64_write(FILE *f, const char *s, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	size_t		 i, col = 0;
	unsigned	 v;
	char		 q[5];

	for (i = 0; i < n; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		q[4] = '\0';
		fputs(q, f);
		if ((col += 4) == QP_LINE) {
			fputc('\n', f);
			col = 0;
		}
	}
	if (col != 0)
		fputc('\n', f);
}

static void
host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) != 0 || buf[0] == '\0' ||
	    !mail_addr_ok(buf))
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

/* From: user@hostname when no --mail-from */
static void
default_from(char *buf, size_t len)
{
	struct passwd	*pw = getpwuid(geteuid());
	char		 host[256];

	host_name(host, sizeof(host));
	snprintf(buf, len, "%s@%s", pw != NULL && mail_addr_ok(pw->pw_name) ?
	    pw->pw_name : "root", host);
}

int
mail_write(FILE *f, const struct mail *m)
{
	char		 from[600], date[64], stamp[16], host[256], bnd[48];
	unsigned char	 rnd[12];
	struct tm	 tm;
	time_t		 t = (time_t)m->now;
	size_t		 i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(rand() ^ getpid() ^ t >> i);
	host_name(host, sizeof(host));
	if (m->from != NULL)
		snprintf(from, sizeof(from), "%s", m->from);
	else
		default_from(from, sizeof(from));
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	snprintf(bnd, sizeof(bnd), "=_mxtally_%02x%02x%02x%02x%02x%02x",
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	fprintf(f, "From: %s\nTo: ", from);
	for (i = 0; i < m->nto; i++)
		fprintf(f, "%s%s", i > 0 ? ",\n " : "", m->to[i]);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	fprintf(f, "\nSubject: %s\n", m->subject);
	fprintf(f, "Date: %s\n", date);
	fprintf(f, "Message-ID: <%s.%ld.%02x%02x%02x%02x%02x%02x@%s>\n",
	    stamp, (long)getpid(), rnd[6], rnd[7], rnd[8], rnd[9],
	    rnd[10], rnd[11], host);
	fputs("MIME-Version: 1.0\nAuto-Submitted: auto-generated\n"
	    "X-Mailer: mxtally\n", f);
	fprintf(f, "Content-Type: multipart/alternative;\n"
	    " boundary=\"%s\"\n\n", bnd);
	fputs("This is the mxtally report as plain text and as HTML.\n", f);
	fprintf(f, "\n--%s\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n", bnd);
	qp_write(f, m->text, m->ntext);
	fprintf(f, "\n--%s\nContent-Type: text/html; charset=utf-8\n"
	    "Content-Transfer-Encoding: base64\n\n", bnd);
	b64_write(f, m->html, m->nhtml);
	fprintf(f, "\n--%s--\n", bnd);
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}

/* "/usr/sbin/sendmail -oi -- a b" into buf, for messages */
static void
cmd_line(char *const *argv, char *buf, size_t len)
{
	size_t	 k = 0;

	buf[0] = '\0';
	for (; *argv != NULL && k + 1 < len; argv++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? " " : "",
		    *argv);
}

int
mail_send(const struct mail *m)
{
	const char	*sm = m->sendmail;
	char		**argv;
	char		 cmd[512];
	struct sigaction sa, old;
	pid_t		 pid;
	int		 fd[2], st, rc = 0, saved;
	FILE		*f;
	size_t		 i;

	if (sm == NULL && (sm = getenv("MXTALLY_SENDMAIL")) == NULL)
		sm = MAIL_SENDMAIL;
	argv = xcalloc(m->nto + 4, sizeof(*argv));
	argv[0] = xstrdup(sm);
	argv[1] = xstrdup("-oi");
	argv[2] = xstrdup("--");
	for (i = 0; i < m->nto; i++)
		argv[3 + i] = xstrdup(m->to[i]);
	cmd_line(argv, cmd, sizeof(cmd));
	if (pipe(fd) == -1) {
		log_errno("cannot run '%s'", cmd);
		for (i = 0; argv[i] != NULL; i++)
			free(argv[i]);
		free(argv);
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		execv(sm, argv);
		fprintf(stderr, "mxtally: cannot run '%s': %s\n", sm,
		    strerror(errno));
		_exit(127);
	}
	saved = errno;
	close(fd[0]);
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
	if (pid == -1) {
		close(fd[1]);
		return log_error("cannot run '%s': %s", cmd, strerror(saved));
	}
	/* a sendmail that quits early must not kill us with SIGPIPE */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old);
	if ((f = fdopen(fd[1], "w")) == NULL) {
		close(fd[1]);
		rc = -1;
	} else {
		rc = mail_write(f, m);
		if (fclose(f) != 0)
			rc = -1;
	}
	saved = errno;
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return log_error("cannot run '%s' (exit status 127)", cmd);
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		return log_error("'%s' failed with exit status %d: the report "
		    "was not mailed", cmd, WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return log_error("'%s' killed by signal %d: the report was "
		    "not mailed", cmd, WTERMSIG(st));
	if (rc != 0)
		return log_error("cannot write the message to '%s': %s", cmd,
		    strerror(saved));
	return 0;
}
