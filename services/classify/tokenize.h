//  SPDX-License-Identifier: MIT
//  tokenize - words of UTF-8 text, case folding, stop words, Snowball stems
//
//  tokenize() splits text into words: runs of Unicode letters, marks and
//  digits. Inside a word it keeps "U.S."-style initialisms (as "u.s"),
//  decimal and thousands separators between digits ("3.5", "1,000"),
//  apostrophes between letters ("o'brien"; a possessive 's is dropped) and
//  '&' between letters ("at&t"); hyphens, slashes and other punctuation
//  split. Each word is case folded (ASCII fast path, utf8proc CASEFOLD +
//  NFC otherwise) and reported with its position and shape.
//
//  A tokenizer_t adds the language: stop words, and a Snowball stemmer
//  (libstemmer) picked from the BCP 47 language tag. Stems are interned:
//  each distinct stem gets a small id, and the owner of the tokenizer may
//  hang one integer on each id (the classifier keeps the model's term id
//  there), so a word seen before costs one hash look-up.

#ifndef COPYDESK_TOKENIZE_H
#define COPYDESK_TOKENIZE_H

//  Longest word kept, in bytes (longer runs are skipped)
#define TOKEN_MAX 64

typedef struct {
    const char *word;           //  Folded word, followed by 8 NUL bytes (valid
                                //  during the callback)
    size_t len;                 //  Bytes in word
    size_t offset;              //  Byte offset of the word in the text
    size_t length;              //  Bytes of the word in the text
    bool capital;               //  Starts with an upper-case letter
    bool upper;                 //  Has letters, all upper case
    bool number;                //  Digits (and separators) only
    bool sentence;              //  First word of the text or after . ! ? or a blank line
    bool ascii;                 //  Only ASCII bytes
    uint64_t hash;              //  tokenize_hash of word
    uint64_t head [2];          //  The first 16 bytes of word, zero padded
} token_t;

//  Called for each word; return 0 to go on, -1 to stop.
typedef int (token_fn) (void *arg, const token_t *token);

//  What tokenize_counted sees of a text besides its words
typedef struct {
    size_t upper;               //  ASCII upper-case letters (A-Z) in the text
    size_t lower;               //  ASCII lower-case letters (a-z)
} tokenize_stats_t;

//  Split len bytes of UTF-8 text into words. Invalid bytes separate words.
//  Returns the number of words reported.
size_t
    tokenize (const char *text, size_t len, token_fn *fn, void *arg);
//  The same, also counting into stats (zeroed first) what the text holds
//  besides words (stats may be NULL).
size_t
    tokenize_counted (const char *text, size_t len, token_fn *fn, void *arg,
                      tokenize_stats_t *stats);
//  The hash of a folded word that tokenize reports as token->hash (64 bits,
//  word at a time; not for hostile-collision-proof uses: compare keys too).
uint64_t
    tokenize_hash (const char *word, size_t len);

typedef struct _tokenizer_t tokenizer_t;

//  A vector of stem ids (-1 marks a break: a stop word or punctuation that
//  ends a phrase, so no bigram spans it)
typedef VEC (int32_t) stemv_t;

//  Create a tokenizer for a BCP 47 language ("en", "de-CH"; NULL or an
//  unknown language: English stop words and stemmer). Caller owns it.
tokenizer_t *
    tokenizer_new (const char *language);
//  Destroy and nullify. Safe on NULL.
void
    tokenizer_destroy (tokenizer_t **self_p);
//  The Snowball algorithm in use ("english"), or "none".
const char *
    tokenizer_algorithm (tokenizer_t *self);
//  True if the folded word is a stop word of this language.
bool
    tokenizer_is_stopword (tokenizer_t *self, const char *word, size_t len);
//  Stem id of a token: >= 0, or -1 when the token is no content term (a
//  stop word, a number, a single character, a word of no letters).
int32_t
    tokenizer_stem_id (tokenizer_t *self, const token_t *token);
//  Stem a folded word without caching. Returns a new string (caller frees).
char *
    tokenizer_stem (tokenizer_t *self, const char *word, size_t len);
//  Stem id of a folded word, as tokenizer_stem_id gives it for a token of
//  that word and shape, without the surface cache (for callers that keep
//  their own per-word memo).
int32_t
    tokenizer_stem_word (tokenizer_t *self, const char *word, size_t len, bool number,
                         bool ascii);
//  Text of a stem id (owned by the tokenizer; valid until the next call
//  that may add stems).
const char *
    tokenizer_stem_text (tokenizer_t *self, int32_t stem_id, size_t *len);
//  The owner's integer for a stem id (INT32_MIN until the owner sets it).
int32_t *
    tokenizer_stem_tag (tokenizer_t *self, int32_t stem_id);
//  Append the stem ids of text to out, with -1 at phrase breaks (stop
//  words, sentence ends). Returns the number of words seen.
size_t
    tokenizer_stems (tokenizer_t *self, const char *text, size_t len, stemv_t *out);
//  Distinct stems known
size_t
    tokenizer_stem_count (tokenizer_t *self);
//  Forget the caches (stems and tags) when they hold more than max words or
//  stems, so hostile input cannot grow them without bound. Returns true if
//  it forgot; the owner must then drop anything keyed by stem id.
bool
    tokenizer_trim (tokenizer_t *self, size_t max);

//  The primary language subtag of a BCP 47 tag, lower case, into out
//  ("en-GB" -> "en"); "" for NULL. Returns out.
char *
    tokenizer_language_primary (const char *language, char *out, size_t size);

#endif
