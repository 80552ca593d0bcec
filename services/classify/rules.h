//  SPDX-License-Identifier: MIT
//  rules - editors' boolean keyword rules that add subjects
//
//  config/rules.txt, one rule a line ('#' starts a comment):
//
//      LITERAL [| Display name] = QUERY
//
//  QUERY is words, "quoted phrases", AND, OR, NOT and parentheses; terms
//  side by side are ANDed; NOT binds tightest, then AND, then OR. A word
//  ending in '*' matches every word with that prefix. Matching ignores case
//  and works on the words of the headline and body (not on stems), so
//  "bank" does not match "banking" unless written "bank*". Example:
//
//      reuters:cyber | Cyber security = ("cyber attack" OR ransomware OR hack*) AND NOT hackathon

#ifndef COPYDESK_RULES_H
#define COPYDESK_RULES_H

#include "classify/lexicon.h"

typedef struct _rules_t rules_t;
typedef VEC (size_t) rulehitv_t;

//  Parse rules text. NULL with "origin:line: reason" in err when a rule
//  does not parse. Caller owns the result.
rules_t *
    rules_parse (const char *text, const char *origin, char *err, size_t errsize);
//  Read and parse a rules file.
rules_t *
    rules_load (const char *path, char *err, size_t errsize);
//  Destroy and nullify. Safe on NULL.
void
    rules_destroy (rules_t **self_p);
//  Rules held
size_t
    rules_size (rules_t *self);
//  Literal and display name (NULL if none) of rule i
const char *
    rules_literal (rules_t *self, size_t i);
const char *
    rules_name (rules_t *self, size_t i);
//  Evaluate every rule on a headline and body; appends the index of each
//  rule that matches to out. Returns the number that matched.
int
    rules_match (rules_t *self, const char *headline, const char *body, rulehitv_t *out);

//  The same on texts already read into lexicon (headline, body; either may
//  be NULL): for a caller that reads the words anyway. What each word is to
//  the rules is worked out once per lexicon epoch.
int
    rules_words (rules_t *self, const lexicon_t *lexicon, const lextext_t *headline,
                 const lextext_t *body, rulehitv_t *out);

#endif
