//  SPDX-License-Identifier: MIT
//  corpus - labelled stories for training and evaluation
//
//  A corpus is a file or a folder (read recursively, files in name order):
//  *.sgm files go through the real ingest parser (format reuters-sgml), so
//  training, evaluation and production read Reuters the same way; *.jsonl,
//  *.ndjson and *.json files hold ninjs objects, one per line (a .json file
//  may also be one object or an array), read with ninjs_to_story: a
//  newsroom's own archive. Other files are ignored.
//
//  Labels are the story's subjects that the provider assigned (creator not
//  "classify"), by literal (else uri). Splits: "modapte" (Reuters
//  LEWISSPLIT/TOPICS attributes: train = TRAIN+YES, test = TEST+YES, the
//  rest unused), "all" (every story is training), "auto" (modapte when the
//  stories carry the Reuters split attributes, else all).

#ifndef COPYDESK_CORPUS_H
#define COPYDESK_CORPUS_H

#define CORPUS_UNUSED   0
#define CORPUS_TRAIN    1
#define CORPUS_TEST     2

typedef struct {
    story_t *story;             //  The story (owned by the corpus)
    int split;                  //  CORPUS_TRAIN, CORPUS_TEST or CORPUS_UNUSED
    strv_t labels;              //  Provider subject literals
} corpus_item_t;

typedef struct {
    VEC (corpus_item_t) items;  //  Every story read, in file order
    size_t files;               //  Files read
    size_t bad;                 //  Items or lines that could not be read
    size_t train;               //  Stories in the training split
    size_t test;                //  Stories in the test split
    char split [16];            //  Split applied: modapte or all
} corpus_t;

//  Load a corpus. split: "modapte", "all" or "auto"/NULL. Returns NULL
//  with the reason in err when the path cannot be read, holds no story, or
//  the split selects no training story.
corpus_t *
    corpus_load (const char *path, const char *split, char *err, size_t errsize);
//  Destroy and nullify. Safe on NULL.
void
    corpus_destroy (corpus_t **self_p);
//  The provider labels of a story (subjects whose creator is not
//  "classify"), appended to out as literals (else uris).
void
    corpus_labels (const story_t *story, strv_t *out);

#endif
