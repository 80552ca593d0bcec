//  SPDX-License-Identifier: MIT
//  gazetteer - places in a story, as ISO 3166-1 country codes
//
//  The gazetteer (config/gazetteer.tsv, format documented in the file)
//  maps names of countries, capitals, cities, regions and demonyms to
//  country codes, and Reuters-21578 place codes to the same codes.
//  gazetteer_places finds every name in a story's dateline, headline and
//  body (longest match, capitalisation as in the gazetteer), then decides:
//    - block names ("Latin America") consume their words and give nothing;
//    - a qualifier after a comma wins: "Paris, Texas" and "SAN JOSE,
//      Calif." are in the United States, "London, Ontario" in Canada;
//      state abbreviations count only in that position;
//    - a name of several countries ("Georgia") takes the country the rest
//      of the story supports most, else its first (default) sense;
//    - "~person" names ("Jordan", "Chad") next to another capitalised
//      name word or after a title are people, not places;
//    - "~word" names ("Turkey", "Nice") need a capital letter, and support
//      from another mention when the text is all capitals.
//  Each country is scored by where it is named (dateline 3, headline 2,
//  body 1, demonyms 0.6 each time) and kept when the score reaches the
//  threshold.

#ifndef COPYDESK_GAZETTEER_H
#define COPYDESK_GAZETTEER_H

#include "classify/lexicon.h"

typedef struct _gazetteer_t gazetteer_t;

//  One country found in a story
typedef struct {
    char code [4];              //  ISO 3166-1 alpha-2 ("FR"), or a former code ("SU")
    const char *name;           //  Display name (owned by the gazetteer)
    float score;                //  Evidence (see above)
    int mentions;               //  Names matched
    bool dateline;              //  Named in the dateline
    bool headline;              //  Named in the headline
} place_t;
typedef VEC (place_t) placev_t;

//  Load a gazetteer file. NULL with the reason (file, line) in err.
gazetteer_t *
    gazetteer_load (const char *path, char *err, size_t errsize);
//  Parse gazetteer text (origin names it in errors). NULL with err.
gazetteer_t *
    gazetteer_parse (const char *text, size_t len, const char *origin,
                     char *err, size_t errsize);
//  Destroy and nullify. Safe on NULL.
void
    gazetteer_destroy (gazetteer_t **self_p);
//  Names known
size_t
    gazetteer_size (gazetteer_t *self);
//  Display name of a code ("FR" -> "France"), NULL if unknown.
const char *
    gazetteer_name (gazetteer_t *self, const char *code);
//  Code of a Reuters-21578 place code ("west-germany" -> "DE"), or NULL.
const char *
    gazetteer_reuters (gazetteer_t *self, const char *reuters);
//  Today's successor of a former code ("SU" -> "RU"); the code itself
//  when it has none; NULL for an unknown code.
const char *
    gazetteer_successor (gazetteer_t *self, const char *code);
//  Default country of one name ("Paris" -> "FR"), or NULL.
const char *
    gazetteer_lookup (gazetteer_t *self, const char *name);
//  True if the folded word is, on its own, a place name (a country, city,
//  region or demonym) that is not also a person's name ("Canada", "Dutch";
//  not "Jordan").
bool
    gazetteer_place_word (gazetteer_t *self, const char *word, size_t len);
//  Places of a story into out (cleared first), best first. Returns the
//  number kept (score >= threshold; threshold <= 0 keeps every one).
int
    gazetteer_places (gazetteer_t *self, const story_t *story, float threshold,
                      placev_t *out);
//  The same on texts already read into lexicon: the dateline, headline and
//  body, of which only the words from byte body_from on count (a body read
//  with descriptions before it: where the story's own body starts). What
//  each word is to the gazetteer is worked out once per lexicon epoch.
int
    gazetteer_places_words (gazetteer_t *self, const lexicon_t *lexicon,
                            const lextext_t *dateline, const lextext_t *headline,
                            const lextext_t *body, size_t body_from, float threshold,
                            placev_t *out);
//  gazetteer_lookup of words already read into lexicon: the default country
//  code of the name they spell, or NULL.
const char *
    gazetteer_lookup_words (gazetteer_t *self, const lexicon_t *lexicon,
                            const lexword_t *words, size_t count);

#endif
