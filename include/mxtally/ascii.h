/*
 * ASCII helpers of every stage (no locale): case folding eight bytes a
 * step.
 */
#ifndef MXTALLY_ASCII_H
#define MXTALLY_ASCII_H

#include <stddef.h>

/* Copies src[0..n) to dst with A-Z lower-cased; dst may be src. */
void lower_ascii(char *dst, const char *src, size_t n);

#endif
