/*
 * libFuzzer target: the classifier on arbitrary reply texts, codes and
 * response codes, and the template masker. The cause must be in range
 * and the template must fit its buffer, NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct classifier	*cl;
	static struct classify_scratch	*cs;
	struct event			 ev;
	char				 tmpl[512], *s;
	size_t				 n;

	if (cl == NULL) {
		if ((cl = classify_new()) == NULL)
			abort();
		cs = classify_scratch_new(cl);
	}
	s = malloc(size ? size : 1);
	memcpy(s, data, size);
	event_reset(&ev);
	ev.text = (struct slice){ s, size };
	if (size >= 3)
		memcpy(ev.code, s, 3);
	if (size >= 8)
		memcpy(ev.enh, s + 3, 5);
	ev.proto = size > 0 ? (uint8_t)(s[0] % 4) : 0;
	classify_event(cl, cs, &ev);
	if (ev.cause < 0 || ev.cause >= cause_count())
		abort();
	n = classify_template(ev.text, tmpl, sizeof(tmpl));
	if (n >= sizeof(tmpl) || tmpl[n] != '\0')
		abort();
	free(s);
	return 0;
}
