//  SPDX-License-Identifier: MIT
//  eval - measure the classifier on the test split the way the literature does
//
//  Subjects, 90-category protocol (Joachims 1998, Yang & Liu 1999): the
//  categories with at least one training and one test story, scored on the
//  test stories that carry at least one of them (3,019 on ModApte); each
//  category is a binary decision; micro- and macro-averaged precision,
//  recall and F1. Top-10 protocol: the ten categories with the most
//  training stories, scored on the same test stories. Places: every
//  test-split story (3,299 on ModApte), the provider's place codes mapped
//  to ISO 3166 through the gazetteer (historical codes folded into their
//  successors: ussr -> RU...), against the places classify assigns.
//  The classifier sees each story without its provider labels.

#ifndef COPYDESK_EVAL_H
#define COPYDESK_EVAL_H

#include "classify/classify.h"
#include "classify/corpus.h"
#include <jansson.h>

typedef struct {
    double micro_p, micro_r, micro_f1;
    double macro_p, macro_r, macro_f1;
    size_t categories;          //  Categories averaged
    size_t stories;             //  Test stories scored
    size_t tp, fp, fn;          //  Summed decisions
} eval_scores_t;

typedef struct {
    char *literal;              //  Category literal
    size_t train;               //  Training stories
    size_t test;                //  Test stories
    size_t tp, fp, fn;
    double p, r, f1;
    bool top10;                 //  One of the top-10
} eval_cat_t;

typedef struct {
    eval_scores_t all;          //  The 90-category protocol
    eval_scores_t top10;        //  The top-10 protocol
    eval_scores_t places;       //  Places, micro over (story, country)
    VEC (eval_cat_t) cats;      //  Per category, by literal
    size_t test_stories;        //  Stories in the test split
    double seconds;             //  Classification time of the test split
    char split [16];            //  Split used
} eval_report_t;

//  Evaluate classifier on corpus's test split into report. Returns 0, or
//  -1 with the reason in err (no test split, no category to score).
int
    eval_run (classify_t *classifier, corpus_t *corpus, eval_report_t *report,
              char *err, size_t errsize);
//  Free the report's contents.
void
    eval_report_free (eval_report_t *report);
//  Print the report as a table.
void
    eval_print (const eval_report_t *report, FILE *out);
//  The report as JSON. Caller owns it.
json_t *
    eval_json (const eval_report_t *report);

#endif
