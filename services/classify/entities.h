//  SPDX-License-Identifier: MIT
//  entities - people and organisations named in a story
//
//  Names are runs of capitalised words in mixed-case text (all-capital
//  headlines are skipped: capitals say nothing there). Each run is read as:
//    - an organisation when it ends with a corporate or institutional word
//      ("... Inc", "... Corp", "... AG", "... Bank", "... Department",
//      "... Agency", "... Alliance"), starts "Ministry of", "Bank of",
//      "University of"..., joins names with "&", is in the organisation
//      list (config/orgs.tsv: current institutions, alliances, agencies,
//      parties, companies, each with its acronym), or is defined with an
//      acronym in the text ("Organization of Petroleum Exporting Countries
//      (OPEC)"), after which the acronym alone counts as the same one;
//    - a person when a cue says so: a title or role before it ("Chancellor
//      Olaf Scholz", "Foreign Minister Wang Yi", "company spokeswoman Jane
//      Doe", "Mr. Smith"), "said"/"told" after it, an apposition ("Jane Doe,
//      a spokeswoman for ..."), or a middle initial ("John F. Kennedy").
//      Later mentions by surname are the same person;
//    - a person without a cue when it starts with a common given name
//      (config/givennames.txt, see entities_load_given: "Olaf Scholz",
//      "Carl C. Icahn"), is two to four capitalised words, is no place and
//      no organisation (by the tests above, or the start of a name of an
//      organisation already found in the text: "Dean Witter" after "Dean
//      Witter Reynolds Inc"), and the text is not in title case (a
//      headline "Fed Holds As John Smith Speaks" says nothing).
//  Place names (the gazetteer) are neither. No list of people is used.

#ifndef COPYDESK_ENTITIES_H
#define COPYDESK_ENTITIES_H

#include "classify/gazetteer.h"

typedef struct _entities_t entities_t;

typedef struct {
    char *name;                 //  As written (full name)
    char *acronym;              //  Organisations: acronym if known, else NULL
    int mentions;               //  Mentions, surname-only ones included
    bool organisation;          //  Organisation (else person)
} entity_t;
typedef VEC (entity_t) entityv_t;

//  Create the finder with an organisation list (path may be NULL: patterns
//  only) and a gazetteer (borrowed, may be NULL). NULL with err when the
//  list does not parse. Caller owns it.
entities_t *
    entities_new (const char *orgs_path, gazetteer_t *gazetteer, char *err, size_t errsize);
//  Same, from organisation list text (for tests).
entities_t *
    entities_new_text (const char *orgs_text, gazetteer_t *gazetteer, char *err, size_t errsize);
//  Load the list of given names for cue-free people (one or more names a
//  line, '#' comments; a line "!Full Name" names a firm or thing that
//  only looks like a person, e.g. "!Dean Witter"). Replaces an earlier
//  list. 0, or -1 with the reason in err.
int
    entities_load_given (entities_t *self, const char *path, char *err, size_t errsize);
//  Same, from list text (for tests); NULL clears the list.
void
    entities_set_given_text (entities_t *self, const char *text);
//  Given names in the list (0 if none loaded)
size_t
    entities_given_count (entities_t *self);
//  Destroy and nullify. Safe on NULL.
void
    entities_destroy (entities_t **self_p);
//  Find the people and organisations of text (append to out; the caller
//  frees with entities_free). Returns the number found.
int
    entities_find (entities_t *self, const char *text, entityv_t *out);
//  The same on a text already read into lexicon (what each word is to the
//  finder is worked out once per lexicon epoch). The text must be
//  NUL-terminated.
int
    entities_find_words (entities_t *self, const lexicon_t *lexicon, const lextext_t *text,
                         entityv_t *out);
//  Free the entities of a list and empty it.
void
    entities_free (entityv_t *list);

#endif
