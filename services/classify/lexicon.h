//  SPDX-License-Identifier: MIT
//  lexicon - a story's words, read once and shared by every part of the
//  classifier
//
//  A lexicon_t interns folded words: each distinct word gets a small id
//  (0, 1, 2... in order of first sight), found with one probe of an
//  open-addressing table (full keys compared, so no forged word can pass
//  for another). lexicon_read tokenizes a text (tokenize.h) into a
//  lextext_t: for each word its id, place in the text and shape. The parts
//  of the classifier (vectorizer, rules, gazetteer, entities) then work on
//  ids, and keep what a word means to them in arrays indexed by id
//  ("memos", see lexicon_memo), so a word costs its look-ups once per
//  lexicon, not once per occurrence.
//
//  A memo is valid for one epoch of one lexicon. lexicon_trim forgets
//  every word (so hostile input cannot grow a long-running worker without
//  bound) and starts a new epoch; epochs are unique across every lexicon
//  of the process, so a memo is never taken for another lexicon's.

#ifndef COPYDESK_LEXICON_H
#define COPYDESK_LEXICON_H

#include "classify/tokenize.h"

typedef struct _lexicon_t lexicon_t;

//  Shape of a word in its text
#define LEX_CAPITAL     0x01    //  Starts with an upper-case letter
#define LEX_UPPER       0x02    //  Has letters, all upper case
#define LEX_NUMBER      0x04    //  Digits (and separators) only
#define LEX_SENTENCE    0x08    //  First word of the text or of a sentence
#define LEX_ASCII       0x10    //  Only ASCII bytes
#define LEX_COMMA       0x20    //  A ',' between the previous word (or the
                                //  start of the text) and this one
#define LEX_ALPHA       0x40    //  The folded word starts with an ASCII letter

//  One word of a text
typedef struct {
    int32_t id;                 //  Word id in the lexicon
    uint32_t offset;            //  Byte offset in the text
    uint16_t length;            //  Bytes of the word in the text
    uint16_t len;               //  Bytes of the folded word
    uint8_t flags;              //  LEX_*
} lexword_t;
typedef VEC (lexword_t) lexwordv_t;

//  The words of one text
typedef struct {
    const char *text;           //  The text (borrowed), NULL if none
    size_t size;                //  Its bytes
    lexwordv_t words;           //  Its words, in order
    size_t upper;               //  ASCII upper-case letters in the text
    size_t lower;               //  ASCII lower-case letters
} lextext_t;

//  Create an empty lexicon. Caller owns it.
lexicon_t *
    lexicon_new (void);
//  Destroy and nullify. Safe on NULL.
void
    lexicon_destroy (lexicon_t **self_p);
//  Id of a folded word (hash: tokenize_hash of it), added if new.
int32_t
    lexicon_intern (lexicon_t *self, const char *word, size_t len, uint64_t hash);
//  Id of a folded word, or -1 if absent.
int32_t
    lexicon_find (const lexicon_t *self, const char *word, size_t len);
//  The folded word of an id (NUL-terminated, owned by the lexicon), and
//  its length.
const char *
    lexicon_word (const lexicon_t *self, int32_t id, size_t *len);
//  Words held
size_t
    lexicon_size (const lexicon_t *self);
//  The current epoch (unique in the process; changes on trim).
uint64_t
    lexicon_epoch (const lexicon_t *self);
//  Forget every word when more than max are held, and start a new epoch.
//  Call between texts only: the ids of texts read before are void after.
//  Returns true if it forgot.
bool
    lexicon_trim (lexicon_t *self, size_t max);
//  Tokenize len bytes of text (NULL: no words) into out (emptied first;
//  its vector memory is reused). The text must outlive out's use.
void
    lexicon_read (lexicon_t *self, const char *text, size_t len, lextext_t *out);
//  Free the words of a text and empty it.
void
    lextext_free (lextext_t *self);

//  Make a memo array cover every id of the lexicon: *memo holds *size
//  elements of elem bytes made for *epoch. In another epoch every element
//  is zeroed; new elements are zeroed. So a memo's zero element must mean
//  "not worked out yet".
void
    lexicon_memo (const lexicon_t *self, void **memo, size_t *size, size_t elem,
                  uint64_t *epoch);

#endif
