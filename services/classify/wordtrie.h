//  SPDX-License-Identifier: MIT
//  wordtrie - names as paths of words, for the gazetteer and the entity finder
//
//  Each distinct word of the names gets an id; a name is the path of its
//  words' ids from the root (node 0). A node holds a value (what the name
//  ending there is: a gazetteer entry, an organisation; -1 for none) and
//  whether a longer name goes on from it, so that a reader walking a text
//  word by word knows when to stop.

#ifndef COPYDESK_WORDTRIE_H
#define COPYDESK_WORDTRIE_H

typedef struct _wordtrie_t wordtrie_t;

//  An empty trie (the root only). Caller owns it.
wordtrie_t *
    wordtrie_new (void);
//  Destroy and nullify. Safe on NULL.
void
    wordtrie_destroy (wordtrie_t **self_p);
//  The node len bytes of word lead to from node, made if new (node then
//  leads on to a longer name). Start a name at node 0.
int32_t
    wordtrie_extend (wordtrie_t *self, int32_t node, const char *word, size_t len);
//  Set the value of a node (from wordtrie_extend)
void
    wordtrie_set (wordtrie_t *self, int32_t node, int32_t value);
//  The value of a node, -1 if no name ends there
int32_t
    wordtrie_value (const wordtrie_t *self, int32_t node);
//  True if some longer name goes on from node
bool
    wordtrie_more (const wordtrie_t *self, int32_t node);
//  The id of a word of the names, -1 if no name has it
int32_t
    wordtrie_word (const wordtrie_t *self, const char *word, size_t len);
//  The node word id leads to from node, -1 if none
int32_t
    wordtrie_next (const wordtrie_t *self, int32_t node, int32_t word);

#endif
