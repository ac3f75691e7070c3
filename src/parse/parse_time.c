/*
 * Timestamps: RFC 3164 ("Nov 21 03:14:15", no year), RFC 3339 / ISO 8601
 * ("2026-11-21T03:14:15.123456+01:00", as rsyslog's high-precision
 * template writes; "+0100" as journald's short-iso writes) and the Exim
 * mainlog layout ("2026-11-21 03:14:15").
 * All become wall-clock seconds as logged: the zone offset is not applied,
 * so hours in the report are the log's own local hours.
 */
#include <time.h>

#include "mxtally/parse.h"

int64_t
time_days(int y, int m, int d)
{
	/* days from civil, after H. Hinnant's well-known derivation */
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
timectx_init(struct timectx *tc, int64_t mtime, int year)
{
	struct tm	 tm;
	time_t		 t;

	tc->fixed = year > 0;
	tc->year = year;
	tc->month = 0;
	if (tc->fixed)
		return;
	t = mtime > 0 ? (time_t)mtime : time(NULL);
	localtime_r(&t, &tm);
	tc->year = tm.tm_year + 1900;
	tc->month = tm.tm_mon + 1;
}

static int
num2(const char *p)
{
	if ((unsigned)(p[0] - '0') > 9 || (unsigned)(p[1] - '0') > 9)
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

static int
month_of(const char *p)
{
	/* three letters, case as syslog writes them */
	switch (p[0]) {
	case 'J':
		if (p[1] == 'a' && p[2] == 'n') return 1;
		if (p[1] == 'u' && p[2] == 'n') return 6;
		if (p[1] == 'u' && p[2] == 'l') return 7;
		return 0;
	case 'F': return p[1] == 'e' && p[2] == 'b' ? 2 : 0;
	case 'M':
		if (p[1] == 'a' && p[2] == 'r') return 3;
		if (p[1] == 'a' && p[2] == 'y') return 5;
		return 0;
	case 'A':
		if (p[1] == 'p' && p[2] == 'r') return 4;
		if (p[1] == 'u' && p[2] == 'g') return 8;
		return 0;
	case 'S': return p[1] == 'e' && p[2] == 'p' ? 9 : 0;
	case 'O': return p[1] == 'c' && p[2] == 't' ? 10 : 0;
	case 'N': return p[1] == 'o' && p[2] == 'v' ? 11 : 0;
	case 'D': return p[1] == 'e' && p[2] == 'c' ? 12 : 0;
	}
	return 0;
}

/* "HH:MM:SS" at p; returns seconds of the day or -1. */
static int64_t
clock_of(const char *p)
{
	int	 h = num2(p), m = num2(p + 3), s = num2(p + 6);

	if (h < 0 || m < 0 || s < 0 || p[2] != ':' || p[5] != ':' ||
	    h > 23 || m > 59 || s > 60)
		return -1;
	return h * 3600 + m * 60 + s;
}

static size_t
parse_3164(struct slice s, const struct timectx *tc, int64_t *t)
{
	const char	*p = s.p;
	int		 mon, day, year;
	int64_t		 sec;
	size_t		 n;

	if (s.len < 14 || p[3] != ' ' || (mon = month_of(p)) == 0)
		return 0;
	if (p[5] == ' ' && (unsigned)(p[4] - '1') <= 8) {
		/* "Jan 4 21:51:05": a day of one digit, one blank (some
		 * syslog daemons and templates write it so) */
		if ((sec = clock_of(p + 6)) < 0)
			return 0;
		n = 14;
		day = p[4] - '0';
	} else {
		if (s.len < 15 || p[6] != ' ')
			return 0;
		if (p[4] == ' ')
			day = p[5] - '0';
		else
			day = num2(p + 4);
		if (day < 1 || day > 31 || (sec = clock_of(p + 7)) < 0)
			return 0;
		n = 15;
	}
	year = tc->year;
	/* a log month after the file's month is last year's (Dec -> Jan) */
	if (!tc->fixed && tc->month > 0 && mon > tc->month)
		year--;
	*t = time_days(year, mon, day) * 86400 + sec;
	return n;
}

static size_t
parse_iso(struct slice s, int64_t *t)
{
	const char	*p = s.p, *end = s.p + s.len;
	int		 y1, y2, mon, day;
	int64_t		 sec;

	if (s.len < 19 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != ' '))
		return 0;
	y1 = num2(p);
	y2 = num2(p + 2);
	mon = num2(p + 5);
	day = num2(p + 8);
	if (y1 < 0 || y2 < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    (sec = clock_of(p + 11)) < 0)
		return 0;
	*t = time_days(y1 * 100 + y2, mon, day) * 86400 + sec;
	p += 19;
	if (p < end && (*p == '.' || *p == ','))
		for (p++; p < end && (unsigned)(*p - '0') <= 9; p++)
			;
	if (p < end && *p == 'Z')
		p++;
	else if (end - p >= 6 && (*p == '+' || *p == '-') && p[3] == ':' &&
	    num2(p + 1) >= 0 && num2(p + 4) >= 0)
		p += 6;
	else if (end - p >= 5 && (*p == '+' || *p == '-') &&
	    num2(p + 1) >= 0 && num2(p + 3) >= 0)
		p += 5;			/* journald short-iso: "+0100" */
	return (size_t)(p - s.p);
}

size_t
time_parse(struct slice s, const struct timectx *tc, int64_t *t)
{
	if (s.len < 14)
		return 0;
	if ((unsigned)(s.p[0] - '0') <= 9)
		return parse_iso(s, t);
	return parse_3164(s, tc, t);
}
