//  SPDX-License-Identifier: MIT
//  lang - the language of a story that does not say, and clean language tags
//
//  Detection first looks at the script: CJK, Hangul, Arabic, Cyrillic,
//  Greek, Hebrew, Thai and Devanagari text is decided by its letters. Latin
//  script text is ranked against the n-gram profiles of libexttextcat (the
//  identifier behind LibreOffice) for the languages of the wire, scored
//  in-process, and the verdict is checked against a count of each
//  language's commonest function words.
//  When the text is short or the two disagree, the answer is NULL: a
//  story without a language is better than one with a wrong language.

#ifndef COPYDESK_LANG_H
#define COPYDESK_LANG_H

typedef struct _lang_t lang_t;

//  Load the n-gram profiles (<lang>.lm) from datadir (NULL: the
//  libexttextcat data folder of the system). Never fails: without models (a message on stderr says
//  so) Latin-script text is judged by function words alone, and is more
//  often left undecided. Caller owns the detector, which keeps what it
//  learns from the texts it ranks to rank the next ones faster (a few MB;
//  the verdicts never depend on it). One thread at a time.
lang_t *
    lang_new (const char *datadir);

//  Destroy and nullify. Safe on NULL.
void
    lang_destroy (lang_t **self_p);

//  Bytes of text lang_detect looks at (it reads one more, to cut on a
//  character): a longer sample may be cut there beforehand
#define LANG_SAMPLE_BYTES 1024

//  The BCP 47 primary subtag of text ("en", "de", "no", "zh"...), or NULL
//  when unsure (short text, mixed signals). The string is static.
const char *
    lang_detect (lang_t *self, const char *text);

//  A provider's language tag made canonical: primary subtag lower case
//  ("EN-us" -> "en-US", "ger" -> "de", "English" -> "en"), region upper
//  case, script title case, '_' read as '-'. Returns a new string (caller
//  frees) or NULL when the tag is not a language tag at all.
char *
    lang_tag_clean (const char *tag);

//  --------------------------------------------------------------------------
//  For the differential tests only (tests/unit/test_lang_rank.c,
//  tests/fuzz/fuzz_lang_diff.c), which hold the steps of lang_detect to
//  those of an earlier version: each step alone, over len bytes of text
//  (any bytes).

#define LANG_TEST_MODELS     32     //  Scores of lang_test_rank
#define LANG_TEST_CANDIDATES 5      //  Candidates of lang_test_rank at most
#define LANG_TEST_LISTS      24     //  Function-word lists of lang_test_words

//  The n-gram ranking: the candidates, best first, into codes; every
//  profile's out-of-place score into scores (in load order, 0 past the
//  profiles loaded). Returns how many candidates, 0 for none or too many.
int
    lang_test_rank (lang_t *self, const char *text, size_t len,
                    const char **codes, int32_t *scores);

//  The script census, its counts as ints into counts (max at least 32).
//  Returns how many.
int
    lang_test_census (const char *text, size_t len, int *counts, int max);

//  Function words: hits and distinct words of each list into hits and
//  distinct (LANG_TEST_LISTS each)
void
    lang_test_words (lang_t *self, const char *text, size_t len, int *hits, int *distinct);

//  What the ranking's caches did since lang_new: counts [0] times the
//  dictionary of n-grams was cleared, [1] new generations of the lexicon,
//  [2] words taken from the generation before, [3] words read anew
void
    lang_test_caches (lang_t *self, uint64_t counts [4]);

#endif
