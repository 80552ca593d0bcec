//  SPDX-License-Identifier: MIT
//  keywords - the few most distinctive terms of a story
//
//  From the content words the vectorizer saw (stop words and numbers
//  already gone): score = (1 + ln tf) * idf, with the idf of the model's
//  training corpus; a word the model never saw gets the largest idf but
//  must occur at least twice (one-off typos are not keywords). One keyword
//  per stem, written as the word first appeared (lower-cased unless it is
//  capitalised inside mixed-case text: a name).

#ifndef COPYDESK_KEYWORDS_H
#define COPYDESK_KEYWORDS_H

#include "classify/model.h"

//  Pick up to max keywords of the story last vectorized by vectorizer
//  (over model's vocabulary) into out. headline and body are the texts it
//  read (either may be NULL). Returns the number added.
int
    keywords_pick (vectorizer_t *vectorizer, const model_t *model, const lextext_t *headline,
                   const lextext_t *body, int max, strv_t *out);

#endif
