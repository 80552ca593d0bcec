//  SPDX-License-Identifier: MIT
//  train - learn a subject model from a labelled corpus
//
//  From the training split only: the vocabulary (unigram and bigram stems
//  seen in at least min_df training stories, idf = ln ((N+1)/(df+1)) + 1),
//  one-vs-rest linear models with liblinear (L2-regularized L2-loss SVM by
//  default, or logistic regression), and for each category a threshold
//  chosen by k-fold cross-validation on the training stories (the cut that
//  maximises F1 on the out-of-fold scores; SCut with an FBR fallback for
//  categories whose best F1 is poor) and Platt scaling of the out-of-fold
//  scores for confidences. Seeds are fixed and every order is sorted, so
//  the same corpus and options give a byte-identical model file.

#ifndef COPYDESK_TRAIN_H
#define COPYDESK_TRAIN_H

#include "classify/corpus.h"
#include "classify/model.h"

#define TRAIN_SVM   0           //  L2-regularized L2-loss SVC (dual)
#define TRAIN_LR    1           //  L2-regularized logistic regression (dual)

typedef struct {
    double c;                   //  Cost [1.0]
    int solver;                 //  TRAIN_SVM or TRAIN_LR [TRAIN_SVM]
    int folds;                  //  Cross-validation folds for thresholds [5]
    int min_df;                 //  Min training stories with a unigram [2]
    int min_df_bigram;          //  Min training stories with a bigram [3]
    int headline_weight;        //  Times a headline word counts [2]
    int min_positives;          //  Training stories a category needs [1]
    double positive_weight;     //  Cost multiplier of positives [1.0]
    double fbr;                 //  Below this CV F1, fall back to a strict threshold [0.1]
    double prune;               //  Drop weights below prune * max [0.005]
    bool labelled_only;         //  Train only on stories that have a label [false]
    bool verbose;               //  Progress on stderr
} train_options_t;

//  Fill the defaults above.
void
    train_options_init (train_options_t *options);

//  Train on the corpus's training split. Returns a new model (caller owns
//  it) or NULL with the reason in err.
model_t *
    train_model (corpus_t *corpus, const train_options_t *options,
                 char *err, size_t errsize);

#endif
