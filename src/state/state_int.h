/*
 * Stage-private helpers of src/state: a small strict JSON reader (RFC
 * 8259) for mxtally's own reports, which merge.c reads back. It builds a
 * tree of nodes; object members keep their order and duplicates are
 * refused. Nothing here is used in a per-line path.
 */
#ifndef MXTALLY_STATE_INT_H
#define MXTALLY_STATE_INT_H

#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json {
	enum json_type	 type;
	char		*str;		/* JSON_STRING: UTF-8, NUL-terminated */
	size_t		 len;		/* its length (may hold NUL bytes) */
	double		 num;		/* JSON_NUMBER */
	uint64_t	 u;		/* the same when is_uint */
	int		 is_uint;	/* a non-negative integer that fits */
	char		**keys;		/* JSON_OBJECT: member names */
	struct json	**kids;		/* members or elements */
	size_t		 n;
};

#define JSON_DEPTH	64

/*
 * Parses the whole of buf[0..len) as one JSON text. Returns the tree, or
 * NULL with "line N: what" in err. Copies what it keeps.
 */
struct json *json_parse(const char *buf, size_t len, char *err, size_t errlen);

/* Reads and parses a file; NULL with the message in err. */
struct json *json_load(const char *path, char *err, size_t errlen);

void json_free(struct json *j);

/* The member key of object o, or NULL (also when o is not an object). */
const struct json *json_get(const struct json *o, const char *key);

/* Member key as a string / a count; NULL or 0 when absent or mistyped. */
const char *json_str(const struct json *o, const char *key);
uint64_t json_u64(const struct json *o, const char *key);

#endif
