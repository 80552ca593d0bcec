//  SPDX-License-Identifier: MIT
//  features - the vocabulary and the tf-idf vectorizer
//
//  A vocab_t holds the model's terms: unigrams ("oil") and bigrams
//  ("crude oil", two stems joined by one space), each with its idf. A
//  vectorizer_t turns a story into a sparse vector over that vocabulary:
//  tokenize (the story's language), stem, drop stop words, count unigrams
//  and the bigrams of adjacent content words (never across a stop word or
//  a sentence end), headline words weighted, then sublinear tf-idf
//  ((1 + ln tf) * idf) and L2 normalisation. Training and classification
//  use this one code path.
//
//  The vectorizer reads words into its lexicon (lexicon.h) and keeps, per
//  word id and language, the word's stem, vocabulary stem and unigram, and
//  the bigrams it starts (a short sorted list per stem), so a word seen
//  before costs no hashing, stemming or string compare. It must not
//  outlive, nor see changes to, its vocabulary.

#ifndef COPYDESK_FEATURES_H
#define COPYDESK_FEATURES_H

#include "classify/lexicon.h"

//  One non-zero feature
typedef struct {
    int32_t index;              //  Term index in the vocabulary
    float value;                //  Weight
} feat_t;
typedef VEC (feat_t) featv_t;

typedef struct _vocab_t vocab_t;

//  Create an empty vocabulary. Caller owns it.
vocab_t *
    vocab_new (void);
void
    vocab_destroy (vocab_t **self_p);
//  Add a term ("stem" or "stem stem") with its idf. Returns its index, or
//  -1 if the term is malformed (empty, more than one space) or present.
int32_t
    vocab_add (vocab_t *self, const char *term, size_t len, float idf);
//  Terms held
size_t
    vocab_size (const vocab_t *self);
//  Term text and idf by index
const char *
    vocab_term (const vocab_t *self, int32_t index, size_t *len);
float
    vocab_idf (const vocab_t *self, int32_t index);
//  Index of a term, or -1
int32_t
    vocab_find (const vocab_t *self, const char *term, size_t len);
//  Unigram id of a stem (every stem of every term has one), or -1
int32_t
    vocab_stem (const vocab_t *self, const char *stem, size_t len);
//  Term index of the unigram with stem id uid, or -1 (stem only in bigrams)
int32_t
    vocab_unigram (const vocab_t *self, int32_t uid);
//  Term index of the bigram (uid_a, uid_b), or -1
int32_t
    vocab_bigram (const vocab_t *self, int32_t uid_a, int32_t uid_b);

//  --------------------------------------------------------------------------
//  Vectorizer

typedef struct _vectorizer_t vectorizer_t;

//  Per-document statistics of one content word (for keywords)
typedef struct {
    int32_t uid;                //  Stem id in the vocabulary, -1 if unknown
    tokenizer_t *tokenizer;     //  Tokenizer that made stem
    int32_t stem;               //  Stem id in that tokenizer
    int32_t unigram;            //  Its unigram's term index, -1 if none
    float idf;                  //  That unigram's idf (0 if none)
    float tf;                   //  Occurrences (headline weighted)
    uint32_t first;             //  Byte offset of the first occurrence
    uint16_t length;            //  Its length in bytes
    uint16_t stem_len;          //  Bytes in the stem (at most 65535)
    bool in_headline;           //  First seen in the headline
} vecterm_t;
typedef VEC (vecterm_t) vectermv_t;

//  Create a vectorizer over vocab (borrowed: it must outlive the
//  vectorizer). language: used for stories that name none.
//  headline_weight: times a headline word counts. Caller owns it.
vectorizer_t *
    vectorizer_new (const vocab_t *vocab, const char *language, int headline_weight);
void
    vectorizer_destroy (vectorizer_t **self_p);
//  Vectorize a headline and body (either may be NULL) in language (NULL:
//  the default) into out (cleared first): sorted by index (unless turned
//  off), L2-normalised.
void
    vectorizer_text (vectorizer_t *self, const char *headline, const char *body,
                     const char *language, featv_t *out);
//  The lexicon the vectorizer reads words into (owned by the vectorizer).
//  Call between documents only: when the lexicon holds more than 400,000
//  words it forgets them all first (and the tokenizers their stems).
lexicon_t *
    vectorizer_lexicon (vectorizer_t *self);
//  Vectorize texts already read with lexicon_read into vectorizer_lexicon
//  (headline and body; either may be NULL) in language, into out, as
//  vectorizer_text does. vectorizer_text reads the texts, then calls this.
void
    vectorizer_words (vectorizer_t *self, const lextext_t *headline, const lextext_t *body,
                      const char *language, featv_t *out);
//  Whether vectors come out sorted by index (default true; liblinear needs
//  it, scoring does not).
void
    vectorizer_set_sorted (vectorizer_t *self, bool sorted);
//  Vectorize a story: its main headline, descriptions and main body.
void
    vectorizer_story (vectorizer_t *self, const story_t *story, featv_t *out);
//  1 + ln count, as the vectorizer computes it (whole counts from a table)
float
    vectorizer_log1 (const vectorizer_t *self, float count);
//  Content words of the last vectorized text. Offsets are into the
//  headline when in_headline, else into the body.
const vectermv_t *
    vectorizer_terms (vectorizer_t *self);
//  The tokenizer for a language (kept by the vectorizer).
tokenizer_t *
    vectorizer_tokenizer (vectorizer_t *self, const char *language);
//  The text the vectorizer reads from a story as body: main body, else the
//  first body, descriptions prepended. Caller frees.
char *
    vectorizer_story_body (const story_t *story);
//  The same text without a copy when the story has no descriptions: the
//  story's body itself ("" if none), else the text built in buf. Valid
//  while the story and buf are. *body_from (if not NULL) is where the main
//  body starts in it.
const char *
    vectorizer_story_text (const story_t *story, buf_t *buf, size_t *body_from);

#endif
