/*
 * --mail-to: the report as one MIME message (multipart/alternative: the
 * text report as text/plain, quoted-printable, the HTML report as
 * text/html, base64, both UTF-8), handed to the local sendmail(1)
 * interface, as cron and logwatch do.
 */
#ifndef MXTALLY_MAIL_H
#define MXTALLY_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAIL_SENDMAIL	"/usr/sbin/sendmail"

struct mail {
	const char	**to;		/* recipients, borrowed */
	size_t		 nto;
	const char	*from;		/* From:, NULL = user@hostname */
	const char	*sendmail;	/* NULL = $MXTALLY_SENDMAIL or default */
	const char	*subject;	/* printable ASCII, borrowed */
	const char	*text, *html;	/* the two parts, borrowed */
	size_t		 ntext, nhtml;
	int64_t		 now;		/* for Date: and Message-ID: */
};

/*
 * Whether addr may be a recipient or From: one printable ASCII word
 * with an '@' or a bare local name, no spaces, commas, quotes, angle
 * brackets or leading '-' (it becomes a sendmail argument).
 */
int mail_addr_ok(const char *addr);

/*
 * Writes the message m to f, LF line ends (sendmail's interface).
 * Returns 0, or -1 when writing failed.
 */
int mail_write(FILE *f, const struct mail *m);

/*
 * Runs "SENDMAIL -oi -- TO..." and writes the message to it. 0 when
 * sendmail exited 0 (it took the message); -1, the error said naming
 * the command and its exit status or signal, or what failed to run it.
 */
int mail_send(const struct mail *m);

#endif
