//  SPDX-License-Identifier: MIT
//  dateline - datelines and bylines as printed at the top of a story
//
//  A dateline opens the first paragraph of most agency copy:
//      SALVADOR, Feb 26 - ...
//      PARIS, May 1 (Reuters) - ...
//      Berlin (dpa) - ...
//      ATLANTA (AP) _ ...                  (ANPA: '_' is the dash)
//      SPRINGFIELD, Ill. (AP) -- ...
//      SAO PAULO, Feb. 1, 2017 /PRNewswire-AsiaNet/ -- ...
//      (CNN) -- ...
//  It is read without removing it from the body: reports keep their
//  datelines. A byline is a short "By ..." paragraph near the top.

#ifndef COPYDESK_NORMALIZE_DATELINE_H
#define COPYDESK_NORMALIZE_DATELINE_H

//  The parts of a dateline; strings owned by the struct
typedef struct {
    char *text;                 //  The whole dateline as printed, dash included
    char *place;                //  "PARIS", NULL if none
    char *date;                 //  "May 1", NULL if none
    char *source;               //  "Reuters", NULL if none
} dateline_t;

//  Find a dateline at the start of paragraph. need_dash: the dateline must
//  end in a dash (true for body text; false for a dateline the format gave
//  on its own, e.g. NITF <dateline>). Returns 0 and fills out (free with
//  dateline_clear), or -1 if the paragraph does not open with one.
int
    dateline_parse (const char *paragraph, bool need_dash, dateline_t *out);

//  Free the strings of a dateline and zero it.
void
    dateline_clear (dateline_t *self);

//  A byline paragraph ("By Helen Maguire, dpa") among the first paragraphs
//  of a plain body, as printed less trailing '=' centring codes. Returns a
//  new string (caller frees) or NULL.
char *
    byline_find (const char *body);

#endif
