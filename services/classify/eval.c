//  SPDX-License-Identifier: MIT
//  eval - micro/macro P/R/F1 on the test split (see eval.h)

#include "common.h"
#include "classify/eval.h"

static int
s_str_compare (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static double
s_ratio (size_t num, size_t den)
{
    return den ? (double) num / (double) den : 0.0;
}

static double
s_f1 (size_t tp, size_t fp, size_t fn)
{
    return tp + fp + fn ? 2.0 * tp / (double) (2 * tp + fp + fn) : 1.0;
}

//  Averages over the categories selected by mask
static void
s_average (eval_report_t *report, eval_scores_t *scores, bool top10_only, size_t stories)
{
    memset (scores, 0, sizeof *scores);
    scores->stories = stories;
    for (size_t c = 0; c < report->cats.len; c++) {
        eval_cat_t *cat = &report->cats.items [c];
        if (top10_only && !cat->top10)
            continue;
        scores->tp += cat->tp;
        scores->fp += cat->fp;
        scores->fn += cat->fn;
        scores->macro_p += cat->p;
        scores->macro_r += cat->r;
        scores->macro_f1 += cat->f1;
        scores->categories++;
    }
    if (scores->categories) {
        scores->macro_p /= scores->categories;
        scores->macro_r /= scores->categories;
        scores->macro_f1 /= scores->categories;
    }
    scores->micro_p = s_ratio (scores->tp, scores->tp + scores->fp);
    scores->micro_r = s_ratio (scores->tp, scores->tp + scores->fn);
    scores->micro_f1 = s_f1 (scores->tp, scores->fp, scores->fn);
}

//  A copy of the story as a newly arrived one: no provider labels
static story_t *
s_unlabelled (const story_t *story)
{
    story_t *copy = story_dup (story);
    story_t *empty = story_new ();
    //  Swap the label lists for empty ones, then free the old ones
    story_conceptv_t subjects = copy->subjects, places = copy->places;
    story_conceptv_t people = copy->people, orgs = copy->organisations;
    copy->subjects = empty->subjects;
    copy->places = empty->places;
    copy->people = empty->people;
    copy->organisations = empty->organisations;
    empty->subjects = subjects;
    empty->places = places;
    empty->people = people;
    empty->organisations = orgs;
    story_destroy (&empty);
    return copy;
}

int
eval_run (classify_t *classifier, corpus_t *corpus, eval_report_t *report,
          char *err, size_t errsize)
{
    memset (report, 0, sizeof *report);
    snprintf (report->split, sizeof report->split, "%s", corpus->split);
    if (corpus->test == 0) {
        snprintf (err, errsize, "the corpus has no test split (split %s)", corpus->split);
        return -1;
    }
    //  Categories with at least one training and one test story
    strv_t train_labels = { 0 }, test_labels = { 0 };
    for (size_t i = 0; i < corpus->items.len; i++) {
        corpus_item_t *item = &corpus->items.items [i];
        for (size_t k = 0; k < item->labels.len; k++)
            if (item->split == CORPUS_TRAIN)
                strv_add_unique (&train_labels, item->labels.items [k]);
            else
            if (item->split == CORPUS_TEST)
                strv_add_unique (&test_labels, item->labels.items [k]);
    }
    strv_t literals = { 0 };
    for (size_t k = 0; k < train_labels.len; k++)
        if (strv_contains (&test_labels, train_labels.items [k]))
            strv_push (&literals, train_labels.items [k]);
    qsort (literals.items, literals.len, sizeof (char *), s_str_compare);
    strv_free (&train_labels);
    strv_free (&test_labels);
    if (literals.len == 0) {
        snprintf (err, errsize, "no category has both training and test stories");
        strv_free (&literals);
        return -1;
    }
    for (size_t k = 0; k < literals.len; k++) {
        eval_cat_t *cat = vec_push (&report->cats);
        cat->literal = xstrdup (literals.items [k]);
    }
    for (size_t i = 0; i < corpus->items.len; i++) {
        corpus_item_t *item = &corpus->items.items [i];
        for (size_t k = 0; k < item->labels.len; k++) {
            void *found = bsearch (&item->labels.items [k], literals.items, literals.len,
                                   sizeof (char *), s_str_compare);
            if (!found)
                continue;
            eval_cat_t *cat = &report->cats.items [(char **) found - literals.items];
            if (item->split == CORPUS_TRAIN)
                cat->train++;
            else
            if (item->split == CORPUS_TEST)
                cat->test++;
        }
    }
    //  Top-10 by training stories (ties by literal)
    for (int n = 0; n < 10 && n < (int) report->cats.len; n++) {
        eval_cat_t *best = NULL;
        for (size_t c = 0; c < report->cats.len; c++) {
            eval_cat_t *cat = &report->cats.items [c];
            if (!cat->top10 && (!best || cat->train > best->train))
                best = cat;
        }
        best->top10 = true;
    }

    //  Classify every test story
    size_t scored = 0;
    gazetteer_t *gazetteer = classify_gazetteer (classifier);
    eval_scores_t *places = &report->places;
    int64_t elapsed = 0;
    strv_t predicted = { 0 };
    for (size_t i = 0; i < corpus->items.len; i++) {
        corpus_item_t *item = &corpus->items.items [i];
        if (item->split != CORPUS_TEST)
            continue;
        report->test_stories++;
        story_t *story = s_unlabelled (item->story);
        int64_t start = time_mono_usec ();
        classify_story (classifier, story);
        elapsed += time_mono_usec () - start;
        for (size_t k = 0; k < predicted.len; k++)
            free (predicted.items [k]);
        predicted.len = 0;
        for (size_t k = 0; k < story->subjects.len; k++) {
            story_concept_t *c = &story->subjects.items [k];
            if (c->literal && c->creator && strcmp (c->creator, "classify") == 0)
                strv_add_unique (&predicted, c->literal);
        }
        //  Subjects: only stories with at least one scored category
        bool relevant = false;
        for (size_t k = 0; k < item->labels.len && !relevant; k++)
            if (bsearch (&item->labels.items [k], literals.items, literals.len,
                         sizeof (char *), s_str_compare))
                relevant = true;
        if (relevant) {
            scored++;
            for (size_t c = 0; c < report->cats.len; c++) {
                eval_cat_t *cat = &report->cats.items [c];
                bool gold = strv_contains (&item->labels, cat->literal);
                bool got = strv_contains (&predicted, cat->literal);
                if (gold && got)
                    cat->tp++;
                else
                if (got)
                    cat->fp++;
                else
                if (gold)
                    cat->fn++;
            }
        }
        //  Places: provider codes (Reuters or ISO) against ours, both
        //  folded to today's codes
        strv_t gold_places = { 0 }, our_places = { 0 };
        for (size_t k = 0; k < item->story->places.len; k++) {
            const char *literal = item->story->places.items [k].literal;
            const char *code = NULL;
            if (literal && str_starts (literal, "reuters-place:"))
                code = gazetteer_reuters (gazetteer, literal + 14);
            else
            if (literal && str_starts (literal, "iso3166:"))
                code = literal + 8;
            const char *now = code ? gazetteer_successor (gazetteer, code) : NULL;
            if (now || code)
                strv_add_unique (&gold_places, now ? now : code);
            else
            if (literal)
                strv_add_unique (&gold_places, literal);    //  Unmapped: a miss
        }
        for (size_t k = 0; k < story->places.len; k++) {
            story_concept_t *c = &story->places.items [k];
            if (!c->literal || !c->creator || strcmp (c->creator, "classify")
            ||  !str_starts (c->literal, "iso3166:"))
                continue;
            const char *now = gazetteer_successor (gazetteer, c->literal + 8);
            strv_add_unique (&our_places, now ? now : c->literal + 8);
        }
        places->stories++;
        for (size_t k = 0; k < our_places.len; k++)
            if (strv_contains (&gold_places, our_places.items [k]))
                places->tp++;
            else
                places->fp++;
        for (size_t k = 0; k < gold_places.len; k++)
            if (!strv_contains (&our_places, gold_places.items [k]))
                places->fn++;
        strv_free (&gold_places);
        strv_free (&our_places);
        story_destroy (&story);
    }
    places->micro_p = s_ratio (places->tp, places->tp + places->fp);
    places->micro_r = s_ratio (places->tp, places->tp + places->fn);
    places->micro_f1 = s_f1 (places->tp, places->fp, places->fn);
    for (size_t k = 0; k < predicted.len; k++)
        free (predicted.items [k]);
    free (predicted.items);
    report->seconds = elapsed / 1e6;
    for (size_t c = 0; c < report->cats.len; c++) {
        eval_cat_t *cat = &report->cats.items [c];
        cat->p = s_ratio (cat->tp, cat->tp + cat->fp);
        cat->r = s_ratio (cat->tp, cat->tp + cat->fn);
        cat->f1 = s_f1 (cat->tp, cat->fp, cat->fn);
    }
    s_average (report, &report->all, false, scored);
    s_average (report, &report->top10, true, scored);
    strv_free (&literals);
    return 0;
}

void
eval_report_free (eval_report_t *report)
{
    for (size_t c = 0; c < report->cats.len; c++)
        free (report->cats.items [c].literal);
    free (report->cats.items);
    memset (report, 0, sizeof *report);
}

static void
s_print_scores (FILE *out, const char *title, const eval_scores_t *s, bool macro)
{
    fprintf (out, "%-28s micro P %.4f R %.4f F1 %.4f", title, s->micro_p, s->micro_r, s->micro_f1);
    if (macro)
        fprintf (out, " | macro P %.4f R %.4f F1 %.4f", s->macro_p, s->macro_r, s->macro_f1);
    fprintf (out, "  (%zu stories", s->stories);
    if (macro)
        fprintf (out, ", %zu categories", s->categories);
    fprintf (out, ")\n");
}

void
eval_print (const eval_report_t *report, FILE *out)
{
    fprintf (out, "%-24s %6s %6s %6s %6s %6s %7s %7s %7s\n",
             "category", "train", "test", "tp", "fp", "fn", "P", "R", "F1");
    for (size_t c = 0; c < report->cats.len; c++) {
        const eval_cat_t *cat = &report->cats.items [c];
        fprintf (out, "%-24s %6zu %6zu %6zu %6zu %6zu %7.4f %7.4f %7.4f%s\n",
                 cat->literal, cat->train, cat->test, cat->tp, cat->fp, cat->fn,
                 cat->p, cat->r, cat->f1, cat->top10 ? "  top-10" : "");
    }
    fprintf (out, "\nsplit %s: %zu test stories, classified in %.2fs (%.0f stories/s)\n",
             report->split, report->test_stories, report->seconds,
             report->seconds > 0 ? report->test_stories / report->seconds : 0);
    char title [64];
    snprintf (title, sizeof title, "subjects, %zu categories:", report->all.categories);
    s_print_scores (out, title, &report->all, true);
    s_print_scores (out, "subjects, top-10:", &report->top10, true);
    if (report->places.stories)
        s_print_scores (out, "places (ISO 3166):", &report->places, false);
}

static json_t *
s_scores_json (const eval_scores_t *s)
{
    return json_pack ("{s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I}",
                      "micro_p", s->micro_p, "micro_r", s->micro_r, "micro_f1", s->micro_f1,
                      "macro_p", s->macro_p, "macro_r", s->macro_r, "macro_f1", s->macro_f1,
                      "categories", (json_int_t) s->categories,
                      "stories", (json_int_t) s->stories, "tp", (json_int_t) s->tp,
                      "fp", (json_int_t) s->fp, "fn", (json_int_t) s->fn);
}

json_t *
eval_json (const eval_report_t *report)
{
    json_t *cats = json_array ();
    for (size_t c = 0; c < report->cats.len; c++) {
        const eval_cat_t *cat = &report->cats.items [c];
        json_array_append_new (cats, json_pack (
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:b}",
            "category", cat->literal, "train", (json_int_t) cat->train,
            "test", (json_int_t) cat->test, "tp", (json_int_t) cat->tp,
            "fp", (json_int_t) cat->fp, "fn", (json_int_t) cat->fn,
            "p", cat->p, "r", cat->r, "f1", cat->f1, "top10", cat->top10));
    }
    return json_pack ("{s:s, s:I, s:f, s:o, s:o, s:o, s:o}",
                      "split", report->split,
                      "test_stories", (json_int_t) report->test_stories,
                      "seconds", report->seconds,
                      "subjects", s_scores_json (&report->all),
                      "top10", s_scores_json (&report->top10),
                      "places", s_scores_json (&report->places),
                      "categories", cats);
}
