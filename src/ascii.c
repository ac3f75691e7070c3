/*
 * ASCII case folding (ascii.h) shared by the agg tables and the
 * classifier: the C locale's tolower, without a locale.
 */
#include <stdint.h>
#include <string.h>

#include "mxtally/ascii.h"

/*
 * src[0..n) to dst with ASCII A-Z lower-cased (the C locale's tolower),
 * eight bytes a step: in each byte of h (w without its top bits), adding
 * 0x80 - 'A' sets the top bit from 'A' on and adding 0x7f - 'Z' from 'Z'
 * + 1 on, neither carrying into the next byte; where exactly one is set
 * and w's own top bit is not, the byte is a capital and gets 0x20. The
 * traffic domains, the agg keys and the classifier's texts go through
 * here.
 */
void
lower_ascii(char *dst, const char *src, size_t n)
{
	const uint64_t	 ones = UINT64_C(0x0101010101010101);
	const uint64_t	 top = ones * 0x80;
	uint64_t	 w, h, up;
	size_t		 i = 0;
	unsigned char	 c;

	for (;;) {
		if (i + 8 > n) {
			if (n < 8 || i == n)
				break;
			i = n - 8;	/* the last 8, overlapping: lower- */
		}			/* casing twice changes nothing */
		memcpy(&w, src + i, 8);
		h = w & ~top;
		up = ((h + ones * (0x80 - 'A')) ^ (h + ones * (0x7f - 'Z'))) &
		    ~w & top;
		w |= up >> 2;
		memcpy(dst + i, &w, 8);
		i += 8;
	}
	for (; i < n; i++) {
		c = (unsigned char)src[i];
		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
}
