//  SPDX-License-Identifier: MIT
//  wordtrie - names as paths of words (see wordtrie.h)

#include "common.h"
#include "classify/wordtrie.h"
#include "classify/strmap.h"

typedef struct {
    int32_t value;              //  What the name ending here is, -1 none
    bool more;                  //  A longer name goes on from here
} s_node_t;

struct _wordtrie_t {
    strmap_t *words;            //  Words of names -> word id (index)
    u64map_t *edges;            //  (node << 32 | word id) -> node
    VEC (s_node_t) nodes;       //  Node 0 is the root
};

wordtrie_t *
wordtrie_new (void)
{
    wordtrie_t *self = (wordtrie_t *) xcalloc (1, sizeof (wordtrie_t));
    self->words = strmap_new ();
    self->edges = u64map_new ();
    *vec_push (&self->nodes) = (s_node_t) { .value = -1 };
    return self;
}

void
wordtrie_destroy (wordtrie_t **self_p)
{
    assert (self_p);
    wordtrie_t *self = *self_p;
    if (!self)
        return;
    strmap_destroy (&self->words);
    u64map_destroy (&self->edges);
    free (self->nodes.items);
    free (self);
    *self_p = NULL;
}

int32_t
wordtrie_extend (wordtrie_t *self, int32_t node, const char *word, size_t len)
{
    assert (node >= 0 && (size_t) node < self->nodes.len);
    int32_t id = strmap_intern (self->words, word, len, NULL);
    int32_t *child = u64map_ref (self->edges, (uint64_t) node << 32 | (uint32_t) id, -1);
    if (*child < 0) {
        *child = (int32_t) self->nodes.len;
        *vec_push (&self->nodes) = (s_node_t) { .value = -1 };
    }
    self->nodes.items [node].more = true;
    return *child;
}

void
wordtrie_set (wordtrie_t *self, int32_t node, int32_t value)
{
    assert (node >= 0 && (size_t) node < self->nodes.len);
    self->nodes.items [node].value = value;
}

int32_t
wordtrie_value (const wordtrie_t *self, int32_t node)
{
    return self->nodes.items [node].value;
}

bool
wordtrie_more (const wordtrie_t *self, int32_t node)
{
    return self->nodes.items [node].more;
}

int32_t
wordtrie_word (const wordtrie_t *self, const char *word, size_t len)
{
    return strmap_find (self->words, word, len);
}

int32_t
wordtrie_next (const wordtrie_t *self, int32_t node, int32_t word)
{
    return word < 0 ? -1 : u64map_get (self->edges, (uint64_t) node << 32 | (uint32_t) word);
}
