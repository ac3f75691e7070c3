/*
 * Unit tests of the classifier's literal search: the lower-cased copy,
 * the '_' for ' ' of qmail texts and the search by a literal's rarest
 * byte. The rule used is "no space left on device" (system_storage, a
 * literal with no pattern), whose rarest byte is the 'v' of "device".
 * Each text carries no reply code, so a text that misses the rule is
 * unclassified; the expected causes follow from reading the texts.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mxtally/cause.h"
#include "mxtally/classify.h"
#include "mxtally/parse.h"

static struct classifier *cl;
static struct classify_scratch *cs;

static void
setup(void)
{
	char	 err[256];

	cl = classify_new(err, sizeof(err));
	cr_assert_not_null(cl, "%s", err);
	cs = classify_scratch_new(cl);
}

static void
teardown(void)
{
	classify_scratch_free(cs);
	classify_free(cl);
}

static const char *
cause_of_text(const char *text, int flags)
{
	struct event	 ev;

	event_reset(&ev);
	ev.text = (struct slice){ text, strlen(text) };
	ev.flags = (uint8_t)flags;
	classify_event(cl, cs, &ev);
	return cause_get(ev.cause)->id;
}

Test(classify_find, where_the_literal_sits, .init = setup, .fini = teardown,
    .timeout = 5)
{
	/* the whole text, at the start, at the very end */
	cr_assert_str_eq(cause_of_text("no space left on device", 0),
	    "system_storage");
	cr_assert_str_eq(cause_of_text("no space left on device (write)", 0),
	    "system_storage");
	cr_assert_str_eq(cause_of_text("write failed: no space left on device",
	    0), "system_storage");
}

Test(classify_find, false_candidates, .init = setup, .fini = teardown,
    .timeout = 5)
{
	/* many 'v's before the real one; a near miss at the end */
	cr_assert_str_eq(cause_of_text("vvv over vivid v: no space left on "
	    "device", 0), "system_storage");
	cr_assert_str_eq(cause_of_text("vvv no space left on devic", 0),
	    "unclassified");
	/* shorter than the literal, though every byte of it is there */
	cr_assert_str_eq(cause_of_text("no space left on devic", 0),
	    "unclassified");
	/* the anchor is there but the bytes before it differ */
	cr_assert_str_eq(cause_of_text("no space left in device", 0),
	    "unclassified");
}

Test(classify_find, case_and_underscore, .init = setup, .fini = teardown,
    .timeout = 5)
{
	cr_assert_str_eq(cause_of_text("No Space Left On DEVICE", 0),
	    "system_storage");
	/* qmail-send writes blanks as '_': only with EV_UNDERSCORE */
	cr_assert_str_eq(cause_of_text("no_space_left_on_device", EV_UNDERSCORE),
	    "system_storage");
	cr_assert_str_eq(cause_of_text("no_space_left_on_device", 0),
	    "unclassified");
}
