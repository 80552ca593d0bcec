//  SPDX-License-Identifier: MIT
//  model - subject model, its scoring and its file format (see model.h)

#include "common.h"
#include "classify/model.h"
#include "classify/table.h"
#include <zlib.h>
#if defined (__x86_64__) && defined (__GNUC__)
#   include <immintrin.h>
#elif defined (__SSE2__)
#   include <emmintrin.h>
#endif

model_t *
model_new (const char *scheme, const char *language)
{
    model_t *self = (model_t *) xcalloc (1, sizeof (model_t));
    self->scheme = xstrdup (scheme ? scheme : "");
    self->language = xstrdup (language ? language : "en");
    self->description = xstrdup ("");
    self->headline_weight = 1;
    self->vocab = vocab_new ();
    self->offsets = (uint32_t *) xcalloc (1, sizeof (uint32_t));
    return self;
}

void
model_destroy (model_t **self_p)
{
    assert (self_p);
    model_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->cats.len; i++) {
        free (self->cats.items [i].literal);
        free (self->cats.items [i].name);
    }
    free (self->cats.items);
    vocab_destroy (&self->vocab);
    free (self->scheme);
    free (self->language);
    free (self->description);
    free (self->offsets);
    free (self->wcat);
    free (self->wq);
    free (self->wf);
    free (self->block);
    free (self);
    *self_p = NULL;
}

model_cat_t *
model_add_category (model_t *self, const char *literal, const char *name)
{
    assert (self->cats.len < UINT16_MAX);
    model_cat_t *cat = vec_push (&self->cats);
    cat->literal = xstrdup (literal);
    cat->name = xstrdup (name);
    cat->scale = 1;
    cat->platt_a = -4;
    cat->platt_b = 0;
    return cat;
}

int
model_category (const model_t *self, const char *literal)
{
    for (size_t i = 0; i < self->cats.len; i++)
        if (strcmp (self->cats.items [i].literal, literal) == 0)
            return (int) i;
    return -1;
}

//  --------------------------------------------------------------------------
//  The scoring layout: for each term, its weights either as a sparse list
//  of packed (category, quantized weight) pairs, or, for a term that
//  weighs on many categories, as a dense row of every category's quantized
//  weight. A weight is w = q * scale of its category, computed as the
//  file's weights are (one rounding), so every sum is the same, bit for
//  bit, whichever way the term is stored.

//  Terms with at least this many weights get a dense row
#define MODEL_DENSE_MIN     24

typedef struct {
    int32_t term;               //  Term index
    float idf;                  //  Its idf
} s_by_idf_t;

static int
s_by_idf_compare (const void *a, const void *b)
{
    const s_by_idf_t *x = (const s_by_idf_t *) a, *y = (const s_by_idf_t *) b;
    if (x->idf != y->idf)
        return x->idf < y->idf ? -1 : 1;
    return x->term - y->term;
}

//  The float weights from the quantized ones, and the scoring layout
static void
s_dequantize (model_t *self)
{
    free (self->wf);
    self->wf = (float *) xmalloc ((self->nweights + 1) * sizeof (float));
    for (size_t i = 0; i < self->nweights; i++)
        self->wf [i] = self->wq [i] * self->cats.items [self->wcat [i]].scale;
    size_t nterms = vocab_size (self->vocab);
    size_t ncats = self->cats.len;
    self->layout_terms = nterms;
    self->stride = (ncats + 15) & ~(size_t) 15;
    //  Dense rows in order of idf, so the rows of frequent terms (the ones
    //  read most) lie together
    s_by_idf_t *order = (s_by_idf_t *) xmalloc ((nterms + 1) * sizeof (s_by_idf_t));
    size_t rows = 0, sparse = 0;
    for (size_t t = 0; t < nterms; t++) {
        size_t count = self->offsets [t + 1] - self->offsets [t];
        if (count >= MODEL_DENSE_MIN) {
            order [rows].term = (int32_t) t;
            order [rows].idf = vocab_idf (self->vocab, (int32_t) t);
            rows++;
        }
        else
            sparse += count;
    }
    qsort (order, rows, sizeof *order, s_by_idf_compare);
    //  One block for the layout, the scales, the dense rows and the packed
    //  weights (on huge pages when it is big enough: read at random)
    size_t parts [4] = {
        (nterms + 1) * sizeof (model_term_t), (self->stride + 1) * sizeof (float),
        (rows * self->stride + 1) * sizeof (int16_t), (sparse + 1) * sizeof (uint32_t)
    };
    size_t at [4], total = 0;
    for (int k = 0; k < 4; k++) {
        at [k] = total;
        total += (parts [k] + 63) & ~(size_t) 63;
    }
    free (self->block);
    self->block = table_alloc (total);
    self->layout = (model_term_t *) ((char *) self->block + at [0]);
    self->scale = (float *) ((char *) self->block + at [1]);
    self->dense = (int16_t *) ((char *) self->block + at [2]);
    self->packed = (uint32_t *) ((char *) self->block + at [3]);
    for (size_t c = 0; c < ncats; c++)
        self->scale [c] = self->cats.items [c].scale;
    for (size_t r = 0; r < rows; r++) {
        int32_t t = order [r].term;
        int16_t *row = self->dense + r * self->stride;
        for (uint32_t j = self->offsets [t]; j < self->offsets [t + 1]; j++)
            row [self->wcat [j]] = self->wq [j];
        self->layout [t].at = (uint32_t) r;
        self->layout [t].dense = 1;
    }
    free (order);
    size_t n = 0;
    for (size_t t = 0; t < nterms; t++) {
        if (self->layout [t].dense)
            continue;
        self->layout [t].at = (uint32_t) n;
        self->layout [t].count = (uint16_t) (self->offsets [t + 1] - self->offsets [t]);
        for (uint32_t j = self->offsets [t]; j < self->offsets [t + 1]; j++)
            self->packed [n++] = (uint32_t) self->wcat [j] << 16 | (uint16_t) self->wq [j];
    }
}

//  Most categories scored in a padded scratch row on the stack
#define MODEL_PADDED 512

//  How many terms ahead the weights are prefetched (adding a term's weights
//  takes tens of cycles, a miss hundreds: on Reuters 8 and 12 scored about
//  10% faster than 4)
#ifndef MODEL_AHEAD
#   define MODEL_AHEAD 8
#endif

//  Prefetch where the terms of x are laid out (the misses overlap)
static inline void
s_prefetch (const model_t *self, const featv_t *x)
{
    for (size_t i = 0; i < x->len; i++) {
        int32_t t = x->items [i].index;
        if (t >= 0 && (size_t) t < self->layout_terms)
            __builtin_prefetch (&self->layout [t]);
    }
}

//  Prefetch the weights of term t (its layout entry is in the cache by now).
//  Always inlined: as a call of its own, GCC takes a function whose only
//  effects are prefetches for one without effects, and drops the call.
static inline __attribute__ ((always_inline)) void
s_prefetch_weights (const model_t *self, int32_t t)
{
    if (t < 0 || (size_t) t >= self->layout_terms)
        return;
    const model_term_t *term = &self->layout [t];
    if (term->dense) {
        const char *row = (const char *) (self->dense + (size_t) term->at * self->stride);
        for (size_t b = 0; b < self->stride * sizeof (int16_t); b += 64)
            __builtin_prefetch (row + b);
    }
    else
    if (term->count) {
        //  Its first and last lines (a list of up to 23 weights spans one
        //  to three)
        __builtin_prefetch (self->packed + term->at);
        __builtin_prefetch (self->packed + term->at + term->count - 1);
    }
}

//  The term of feature i of x, with its weights' prefetch started
//  MODEL_AHEAD features ahead; NULL when the model has no such term
static inline __attribute__ ((always_inline)) const model_term_t *
s_term_at (const model_t *self, const featv_t *x, size_t i)
{
    if (i + MODEL_AHEAD < x->len)
        s_prefetch_weights (self, x->items [i + MODEL_AHEAD].index);
    int32_t t = x->items [i].index;
    if (t < 0 || (size_t) t >= self->layout_terms)
        return NULL;
    return &self->layout [t];
}

//  value times a sparse term's weights (category << 16 | weight) into scores
static inline __attribute__ ((always_inline)) void
s_add_sparse (const model_t *self, const model_term_t *term, float value, float *scores)
{
    const float *scale = self->scale;
    const uint32_t *packed = self->packed + term->at;
    for (uint32_t j = 0; j < term->count; j++) {
        uint32_t c = packed [j] >> 16;
        scores [c] += value * ((int16_t) (uint16_t) packed [j] * scale [c]);
    }
}

//  The scores of x into scores; dense rows with SSE2 (or plain C). A weight
//  of 0 in a dense row adds value * 0 = +0: the sum stays as it was.
static void
s_scores (const model_t *self, const featv_t *x, float *scores, size_t ncats)
{
    const float *scale = self->scale;
    s_prefetch (self, x);
    for (size_t i = 0; i < x->len; i++) {
        const model_term_t *term = s_term_at (self, x, i);
        if (!term)
            continue;
        float value = x->items [i].value;
        if (!term->dense) {
            s_add_sparse (self, term, value, scores);
            continue;
        }
        const int16_t *row = self->dense + (size_t) term->at * self->stride;
        size_t c = 0;
#if defined (__SSE2__)
        __m128 v = _mm_set1_ps (value);
        for (; c + 8 <= ncats; c += 8) {
            __m128i q = _mm_loadu_si128 ((const __m128i *) (row + c));
            __m128i sign = _mm_srai_epi16 (q, 15);
            __m128 w0 = _mm_mul_ps (_mm_cvtepi32_ps (_mm_unpacklo_epi16 (q, sign)),
                                    _mm_loadu_ps (scale + c));
            __m128 w1 = _mm_mul_ps (_mm_cvtepi32_ps (_mm_unpackhi_epi16 (q, sign)),
                                    _mm_loadu_ps (scale + c + 4));
            _mm_storeu_ps (scores + c, _mm_add_ps (_mm_loadu_ps (scores + c), _mm_mul_ps (v, w0)));
            _mm_storeu_ps (scores + c + 4,
                           _mm_add_ps (_mm_loadu_ps (scores + c + 4), _mm_mul_ps (v, w1)));
        }
#endif
        for (; c < ncats; c++)
            scores [c] += value * (row [c] * scale [c]);
    }
}

#if defined (__x86_64__) && defined (__GNUC__)
//  The same with AVX2 for the dense rows (eight categories a step)
__attribute__ ((target ("avx2")))
static void
s_scores_avx2 (const model_t *self, const featv_t *x, float *scores, size_t ncats)
{
    const float *scale = self->scale;
    s_prefetch (self, x);
    for (size_t i = 0; i < x->len; i++) {
        const model_term_t *term = s_term_at (self, x, i);
        if (!term)
            continue;
        float value = x->items [i].value;
        if (!term->dense) {
            s_add_sparse (self, term, value, scores);
            continue;
        }
        const int16_t *row = self->dense + (size_t) term->at * self->stride;
        size_t c = 0;
        __m256 v = _mm256_set1_ps (value);
        for (; c + 8 <= ncats; c += 8) {
            __m128i q = _mm_loadu_si128 ((const __m128i *) (row + c));
            __m256 w = _mm256_mul_ps (_mm256_cvtepi32_ps (_mm256_cvtepi16_epi32 (q)),
                                      _mm256_loadu_ps (scale + c));
            _mm256_storeu_ps (scores + c,
                              _mm256_add_ps (_mm256_loadu_ps (scores + c), _mm256_mul_ps (v, w)));
        }
        for (; c < ncats; c++)
            scores [c] += value * (row [c] * scale [c]);
    }
}
#endif

//  --------------------------------------------------------------------------
//  Quantize dense per-category weights into the sparse term-major store.

void
model_set_weights (model_t *self, float **dense, float prune)
{
    size_t nterms = vocab_size (self->vocab);
    size_t ncats = self->cats.len;
    float *cutoff = (float *) xcalloc (ncats + 1, sizeof (float));
    for (size_t c = 0; c < ncats; c++) {
        float max = 0;
        for (size_t t = 0; t < nterms; t++)
            if (fabsf (dense [c][t]) > max)
                max = fabsf (dense [c][t]);
        self->cats.items [c].scale = max > 0 ? max / 32767.0f : 1.0f;
        cutoff [c] = max * prune;
    }
    free (self->offsets);
    free (self->wcat);
    free (self->wq);
    self->offsets = (uint32_t *) xcalloc (nterms + 1, sizeof (uint32_t));
    size_t cap = 1024, n = 0;
    self->wcat = (uint16_t *) xmalloc (cap * sizeof (uint16_t));
    self->wq = (int16_t *) xmalloc (cap * sizeof (int16_t));
    for (size_t t = 0; t < nterms; t++) {
        self->offsets [t] = (uint32_t) n;
        for (size_t c = 0; c < ncats; c++) {
            float w = dense [c][t];
            if (fabsf (w) < cutoff [c] || w == 0)
                continue;
            long q = lrintf (w / self->cats.items [c].scale);
            if (q == 0)
                continue;
            if (q > 32767)
                q = 32767;
            if (q < -32767)
                q = -32767;
            if (n == cap) {
                cap *= 2;
                self->wcat = (uint16_t *) xrealloc (self->wcat, cap * sizeof (uint16_t));
                self->wq = (int16_t *) xrealloc (self->wq, cap * sizeof (int16_t));
            }
            self->wcat [n] = (uint16_t) c;
            self->wq [n] = (int16_t) q;
            n++;
        }
    }
    self->offsets [nterms] = (uint32_t) n;
    self->nweights = n;
    free (cutoff);
    s_dequantize (self);
}

void
model_scores (const model_t *self, const featv_t *x, float *scores)
{
    for (size_t c = 0; c < self->cats.len; c++)
        scores [c] = self->cats.items [c].bias;
    if (!self->layout)
        return;                 //  No weights set
    //  The sums in a scratch row as wide as the dense rows (their weights
    //  past the last category are 0), so that no category is left for a
    //  scalar step; the same operations on each category, in the same order
    float padded [MODEL_PADDED] __attribute__ ((aligned (32)));
    size_t width = self->cats.len;
    float *sums = scores;
    if (self->stride <= MODEL_PADDED) {
        width = self->stride;
        sums = padded;
        memcpy (padded, scores, self->cats.len * sizeof (float));
        memset (padded + self->cats.len, 0, (width - self->cats.len) * sizeof (float));
    }
#if defined (__x86_64__) && defined (__GNUC__)
    if (__builtin_cpu_supports ("avx2"))
        s_scores_avx2 (self, x, sums, width);
    else
#endif
    s_scores (self, x, sums, width);
    if (sums != scores)
        memcpy (scores, padded, self->cats.len * sizeof (float));
}

//  --------------------------------------------------------------------------
//  Encoding helpers

static void
s_put_u32 (buf_t *buf, uint32_t v)
{
    uint8_t b [4] = { (uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16), (uint8_t) (v >> 24) };
    buf_append (buf, b, 4);
}

static void
s_put_f32 (buf_t *buf, float f)
{
    uint32_t v;
    memcpy (&v, &f, 4);
    s_put_u32 (buf, v);
}

static void
s_put_varint (buf_t *buf, uint64_t v)
{
    while (v >= 0x80) {
        buf_putc (buf, (char) (0x80 | (v & 0x7F)));
        v >>= 7;
    }
    buf_putc (buf, (char) v);
}

static void
s_put_str (buf_t *buf, const char *s)
{
    size_t len = s ? strlen (s) : 0;
    s_put_varint (buf, len);
    if (len)
        buf_append (buf, s, len);
}

typedef struct {
    const uint8_t *p;           //  Next byte
    const uint8_t *end;         //  End of input
    bool bad;                   //  Read past the end or malformed
} s_reader_t;

static uint32_t
s_get_u32 (s_reader_t *r)
{
    if (r->end - r->p < 4) {
        r->bad = true;
        return 0;
    }
    uint32_t v = (uint32_t) r->p [0] | (uint32_t) r->p [1] << 8
               | (uint32_t) r->p [2] << 16 | (uint32_t) r->p [3] << 24;
    r->p += 4;
    return v;
}

static float
s_get_f32 (s_reader_t *r)
{
    uint32_t v = s_get_u32 (r);
    float f;
    memcpy (&f, &v, 4);
    if (!isfinite (f))
        r->bad = true;
    return f;
}

static uint64_t
s_get_varint (s_reader_t *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t) (b & 0x7F) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

//  A string of at most max bytes, without NUL bytes. Caller frees.
static char *
s_get_str (s_reader_t *r, size_t max)
{
    uint64_t len = s_get_varint (r);
    if (r->bad || len > max || len > (uint64_t) (r->end - r->p)
     || memchr (r->p, 0, (size_t) len)) {
        r->bad = true;
        return NULL;
    }
    char *s = xstrndup ((const char *) r->p, (size_t) len);
    r->p += len;
    return s;
}

//  --------------------------------------------------------------------------
//  Encode the model as a file image.

void
model_encode (const model_t *self, buf_t *buf)
{
    buf_t payload;
    buf_init (&payload);
    s_put_str (&payload, self->scheme);
    s_put_str (&payload, self->language);
    s_put_str (&payload, self->description);
    s_put_u32 (&payload, self->ndocs);
    s_put_u32 (&payload, self->headline_weight);
    size_t nterms = vocab_size (self->vocab);
    s_put_varint (&payload, nterms);
    for (size_t t = 0; t < nterms; t++) {
        size_t len;
        const char *term = vocab_term (self->vocab, (int32_t) t, &len);
        s_put_varint (&payload, len);
        buf_append (&payload, term, len);
        s_put_f32 (&payload, vocab_idf (self->vocab, (int32_t) t));
    }
    s_put_varint (&payload, self->cats.len);
    for (size_t c = 0; c < self->cats.len; c++) {
        const model_cat_t *cat = &self->cats.items [c];
        s_put_str (&payload, cat->literal);
        s_put_str (&payload, cat->name);
        s_put_f32 (&payload, cat->threshold);
        s_put_f32 (&payload, cat->bias);
        s_put_f32 (&payload, cat->scale);
        s_put_f32 (&payload, cat->platt_a);
        s_put_f32 (&payload, cat->platt_b);
        s_put_u32 (&payload, cat->positives);
    }
    s_put_varint (&payload, self->nweights);
    for (size_t t = 0; t < nterms; t++) {
        uint32_t from = self->offsets [t], to = self->offsets [t + 1];
        s_put_varint (&payload, to - from);
        uint32_t last = 0;
        for (uint32_t j = from; j < to; j++) {
            s_put_varint (&payload, self->wcat [j] - last);     //  Ascending: delta
            last = self->wcat [j];
            int32_t q = self->wq [j];
            s_put_varint (&payload, ((uint32_t) q << 1) ^ (uint32_t) -(q < 0));
        }
    }
    uLongf zsize = compressBound (payload.size);
    uint8_t *zdata = (uint8_t *) xmalloc (zsize);
    int rc = compress2 (zdata, &zsize, (const Bytef *) payload.data, payload.size, 9);
    assert (rc == Z_OK);

    buf_clear (buf);
    buf_append (buf, MODEL_MAGIC, 8);          //  Includes the NUL
    s_put_u32 (buf, MODEL_VERSION);
    s_put_u32 (buf, (uint32_t) payload.size);
    s_put_u32 (buf, (uint32_t) zsize);
    buf_append (buf, zdata, zsize);
    char hex [65];
    sha256_hex (buf->data, buf->size, hex);
    for (int i = 0; i < 32; i++) {
        unsigned int byte;
        sscanf (hex + 2 * i, "%2x", &byte);
        buf_putc (buf, (char) byte);
    }
    free (zdata);
    buf_free (&payload);
}

//  --------------------------------------------------------------------------
//  Decode a file image; every count and offset is checked.

model_t *
model_decode (const uint8_t *data, size_t size, char *err, size_t errsize)
{
    if (size < 8 + 12 + 32 || memcmp (data, MODEL_MAGIC, 8) != 0) {
        snprintf (err, errsize, "not a copydesk model (bad magic)");
        return NULL;
    }
    s_reader_t head = { data + 8, data + size, false };
    uint32_t version = s_get_u32 (&head);
    uint32_t raw_size = s_get_u32 (&head);
    uint32_t zsize = s_get_u32 (&head);
    if (version != MODEL_VERSION) {
        snprintf (err, errsize, "model format version %u not supported (want %d)",
                  version, MODEL_VERSION);
        return NULL;
    }
    if ((size_t) zsize != size - 20 - 32 || raw_size > MODEL_MAX_SIZE) {
        snprintf (err, errsize, "model truncated or sizes invalid");
        return NULL;
    }
    char hex [65];
    sha256_hex (data, size - 32, hex);
    for (int i = 0; i < 32; i++) {
        unsigned int byte;
        sscanf (hex + 2 * i, "%2x", &byte);
        if (data [size - 32 + i] != byte) {
            snprintf (err, errsize, "model checksum mismatch (file corrupt)");
            return NULL;
        }
    }
    uint8_t *raw = (uint8_t *) xmalloc (raw_size + 1);
    uLongf got = raw_size;
    if (uncompress (raw, &got, data + 20, zsize) != Z_OK || got != raw_size) {
        free (raw);
        snprintf (err, errsize, "model payload does not decompress");
        return NULL;
    }
    s_reader_t r = { raw, raw + raw_size, false };
    model_t *self = model_new (NULL, NULL);
    free (self->scheme);
    free (self->language);
    free (self->description);
    self->scheme = s_get_str (&r, 256);
    self->language = s_get_str (&r, 64);
    self->description = s_get_str (&r, 4096);
    self->ndocs = s_get_u32 (&r);
    self->headline_weight = s_get_u32 (&r);
    if (self->headline_weight < 1 || self->headline_weight > 100)
        r.bad = true;
    uint64_t nterms = s_get_varint (&r);
    if (nterms > (uint64_t) (r.end - r.p) / 5)
        r.bad = true;
    for (uint64_t t = 0; t < nterms && !r.bad; t++) {
        uint64_t len = s_get_varint (&r);
        if (r.bad || len == 0 || len > 255 || len > (uint64_t) (r.end - r.p)) {
            r.bad = true;
            break;
        }
        const char *term = (const char *) r.p;
        r.p += len;
        float idf = s_get_f32 (&r);
        if (!r.bad && vocab_add (self->vocab, term, (size_t) len, idf) != (int32_t) t)
            r.bad = true;
    }
    uint64_t ncats = r.bad ? 0 : s_get_varint (&r);
    if (ncats > UINT16_MAX)
        r.bad = true;
    for (uint64_t c = 0; c < ncats && !r.bad; c++) {
        char *literal = s_get_str (&r, 256);
        char *name = s_get_str (&r, 256);
        if (r.bad || str_empty (literal)) {
            r.bad = true;
            free (literal);
            free (name);
            break;
        }
        model_cat_t *cat = model_add_category (self, literal, str_empty (name) ? NULL : name);
        free (literal);
        free (name);
        cat->threshold = s_get_f32 (&r);
        cat->bias = s_get_f32 (&r);
        cat->scale = s_get_f32 (&r);
        cat->platt_a = s_get_f32 (&r);
        cat->platt_b = s_get_f32 (&r);
        cat->positives = s_get_u32 (&r);
    }
    uint64_t nweights = r.bad ? 0 : s_get_varint (&r);
    if (nweights > (uint64_t) (r.end - r.p) / 2)
        r.bad = true;
    if (!r.bad) {
        free (self->offsets);
        self->offsets = (uint32_t *) xcalloc (nterms + 1, sizeof (uint32_t));
        self->wcat = (uint16_t *) xmalloc ((nweights + 1) * sizeof (uint16_t));
        self->wq = (int16_t *) xmalloc ((nweights + 1) * sizeof (int16_t));
        uint64_t n = 0;
        for (uint64_t t = 0; t < nterms && !r.bad; t++) {
            self->offsets [t] = (uint32_t) n;
            uint64_t count = s_get_varint (&r);
            if (count > ncats || n + count > nweights) {
                r.bad = true;
                break;
            }
            uint64_t cat = 0;
            for (uint64_t j = 0; j < count; j++) {
                uint64_t delta = s_get_varint (&r);
                uint64_t zz = s_get_varint (&r);
                cat += delta;
                if (r.bad || (j > 0 && delta == 0) || cat >= ncats || zz > 65534) {
                    r.bad = true;
                    break;
                }
                int32_t q = (int32_t) (zz >> 1) ^ -(int32_t) (zz & 1);
                self->wcat [n] = (uint16_t) cat;
                self->wq [n] = (int16_t) q;
                n++;
            }
        }
        self->offsets [nterms] = (uint32_t) n;
        self->nweights = (size_t) n;
        if (n != nweights || r.p != r.end)
            r.bad = true;
    }
    free (raw);
    if (r.bad) {
        snprintf (err, errsize, "model payload malformed");
        model_destroy (&self);
        return NULL;
    }
    s_dequantize (self);
    return self;
}

int
model_save (const model_t *self, const char *path, char *err, size_t errsize)
{
    buf_t buf;
    buf_init (&buf);
    model_encode (self, &buf);
    char *tmp = xasprintf ("%s.tmp.%d", path, (int) getpid ());
    FILE *file = fopen (tmp, "wb");
    int rc = -1;
    if (!file)
        snprintf (err, errsize, "cannot write %s: %s", tmp, strerror (errno));
    else {
        bool ok = fwrite (buf.data, 1, buf.size, file) == buf.size;
        ok = (fflush (file) == 0) && ok;
        ok = (fsync (fileno (file)) == 0) && ok;
        ok = (fclose (file) == 0) && ok;
        if (!ok)
            snprintf (err, errsize, "cannot write %s: %s", tmp, strerror (errno));
        else
        if (rename (tmp, path))
            snprintf (err, errsize, "cannot rename to %s: %s", path, strerror (errno));
        else
            rc = 0;
        if (rc)
            unlink (tmp);
    }
    free (tmp);
    buf_free (&buf);
    return rc;
}

model_t *
model_load (const char *path, char *err, size_t errsize)
{
    uint8_t *data;
    size_t size;
    if (file_read (path, MODEL_MAX_SIZE, &data, &size)) {
        snprintf (err, errsize, "cannot read %s: %s", path, strerror (errno));
        return NULL;
    }
    char why [256];
    model_t *self = model_decode (data, size, why, sizeof why);
    if (!self)
        snprintf (err, errsize, "%s: %s", path, why);
    free (data);
    return self;
}
