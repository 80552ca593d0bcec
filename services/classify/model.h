//  SPDX-License-Identifier: MIT
//  model - the subject model: vocabulary, linear weights, thresholds
//
//  One linear scorer per category over the tf-idf features of features.h:
//  score = bias + sum (x_i * w_i); the category is assigned when the score
//  reaches its threshold (chosen by cross-validation at training time).
//  Weights are stored feature-major (for each term, the categories it
//  weighs on), quantized to 16 bits with one scale per category, which is
//  both compact and fast: scoring a story touches only its own terms. In
//  memory, the terms with weights on many categories also get a dense row
//  (a weight for every category), added with vector instructions; the
//  sums are the same, bit for bit, as over the sparse list.
//
//  File format, little-endian:
//      "CDMODEL\0"  magic, 8 bytes
//      u32          format version (MODEL_VERSION)
//      u32          payload bytes (uncompressed)
//      u32          payload bytes (zlib-compressed, as stored)
//      ...          the payload, zlib level 9
//      32 bytes     SHA-256 of everything before it
//  The payload (str = varint length + UTF-8 bytes, f32 = IEEE 754 bits):
//      str scheme, str language, str description, u32 ndocs,
//      u32 headline_weight,
//      varint terms, then per term: str term ("stem" or "stem stem"), f32 idf
//      varint categories, then per category: str literal, str name ("" if
//          none), f32 threshold, f32 bias, f32 scale, f32 platt_a,
//          f32 platt_b, u32 positives
//      varint weights, then per term: varint count, then per weight:
//          varint category delta (ascending), varint zigzag int16 weight
//  Decoding checks every count against the bytes left, so a hostile file
//  cannot make it allocate more than the file could describe. Encoding is
//  deterministic: the same model gives byte-identical files.

#ifndef COPYDESK_MODEL_H
#define COPYDESK_MODEL_H

#include "classify/features.h"

#define MODEL_MAGIC     "CDMODEL"
#define MODEL_VERSION   1
//  Largest model file we load
#define MODEL_MAX_SIZE  (256 * 1024 * 1024)

typedef struct {
    char *literal;              //  "reuters:earn"
    char *name;                 //  Human-readable name, may be NULL
    float threshold;            //  Assign when score >= threshold
    float bias;                 //  Intercept
    float scale;                //  Weight quantization step
    float platt_a;              //  Confidence = 1 / (1 + exp (platt_a * score + platt_b))
    float platt_b;              //  (fitted on cross-validation scores)
    uint32_t positives;         //  Training stories in the category
} model_cat_t;

//  Where scoring finds a term's weights (in memory only)
typedef struct {
    uint32_t at;                //  First in packed, or row of dense
    uint16_t count;             //  Weights in packed (sparse terms)
    uint16_t dense;             //  1 if the term has a dense row
} model_term_t;

typedef struct {
    char *scheme;               //  Literal scheme, e.g. "reuters"
    char *language;             //  Language of the vocabulary (BCP 47)
    char *description;          //  How it was trained (one line)
    uint32_t ndocs;             //  Training stories (for the idf of unseen words)
    uint32_t headline_weight;   //  Times a headline word counts
    vocab_t *vocab;             //  Terms and idf
    VEC (model_cat_t) cats;     //  Categories
    uint32_t *offsets;          //  Term -> first weight (vocab size + 1 entries)
    uint16_t *wcat;             //  Category of each weight
    int16_t *wq;                //  Quantized weight
    float *wf;                  //  Weight (wq * scale of its category)
    size_t nweights;            //  Weights stored
    model_term_t *layout;       //  Term -> where scoring finds its weights
    size_t layout_terms;        //  Terms in layout
    uint32_t *packed;           //  Sparse weights: category << 16 | quantized weight
    int16_t *dense;             //  Dense rows: every category's quantized weight
    size_t stride;              //  Entries per dense row (categories, rounded up to 16)
    float *scale;               //  Category -> scale (stride floats, 0 past the last)
    void *block;                //  The memory of layout, scale, dense and packed
} model_t;

//  Create an empty model. Caller owns it.
model_t *
    model_new (const char *scheme, const char *language);
//  Destroy and nullify. Safe on NULL.
void
    model_destroy (model_t **self_p);
//  Add a category; returns it for the caller to fill.
model_cat_t *
    model_add_category (model_t *self, const char *literal, const char *name);
//  Set the weights from dense per-category vectors: dense [c][t] for every
//  category c and term t of the vocabulary. Weights with |w| below
//  prune * (largest |w| of the category) are dropped. Quantizes.
void
    model_set_weights (model_t *self, float **dense, float prune);
//  Scores of every category for a feature vector, into scores
//  (cats.len floats).
void
    model_scores (const model_t *self, const featv_t *x, float *scores);
//  Encode into buf (cleared first).
void
    model_encode (const model_t *self, buf_t *buf);
//  Decode a model. Returns it (caller owns it) or NULL with the reason in
//  err: bad magic, unknown version, checksum mismatch, truncated or
//  malformed payload.
model_t *
    model_decode (const uint8_t *data, size_t size, char *err, size_t errsize);
//  Write to path atomically (temporary file + rename). 0 or -1 with err.
int
    model_save (const model_t *self, const char *path, char *err, size_t errsize);
//  Read and decode a model file. NULL with err on failure.
model_t *
    model_load (const char *path, char *err, size_t errsize);
//  Index of the category with this literal, or -1.
int
    model_category (const model_t *self, const char *literal);

#endif
