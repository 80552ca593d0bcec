//  SPDX-License-Identifier: MIT
//  xml - safe XML parsing and local-name navigation for the XML parsers
//
//  Documents are first decoded to UTF-8 (charset_decode, honouring the XML
//  declaration but letting valid UTF-8 win over a single-byte label), then
//  parsed by libxml2 with: no network, no external DTD or entity ever loaded
//  (a global external-entity loader refuses all), internal-subset entities
//  expanded under libxml2's amplification limits (billion laughs fails),
//  a size cap, and depth limits. Feeds may be parsed in recover mode, where
//  undeclared HTML entities (&nbsp;) are first rewritten as numeric
//  references; the document is then flagged "xml-recovered".
//
//  Navigation matches local names and ignores prefixes, because real files
//  use the default namespace, a prefix (ns0:newsItem) or none at all.

#ifndef COPYDESK_XML_H
#define COPYDESK_XML_H

#include <libxml/parser.h>
#include <libxml/tree.h>

//  Largest XML document parsed (bytes)
#define XML_MAX_SIZE (64 * 1024 * 1024)

typedef struct {
    bool recover;               //  Allow libxml2 recovery (feeds only)
    bool html_entities;         //  Rewrite undeclared HTML entities first
    const char *charset;        //  Transport charset hint (HTTP), or NULL
    const char *fallback;       //  Legacy charset for undeclared bytes, or NULL
} xml_options_t;

//  Parse data into a document. Returns the document (caller frees with
//  xmlFreeDoc) or NULL with a one-line reason in err naming the line, e.g.
//  "XML not well-formed at line 12: Opening and ending tag mismatch: p and
//  div". Warnings (charset, recovery) are appended to warnings. *charset_used
//  receives the charset the bytes were decoded from (if not NULL).
xmlDocPtr
    xml_parse (const uint8_t *data, size_t size, const xml_options_t *options,
               strv_t *warnings, char *charset_used, size_t charset_size,
               char *err, size_t errsize);

//  Install the refusing external-entity loader and quiet libxml2's stderr
//  output. Idempotent; xml_parse calls it.
void
    xml_init (void);

//  Local name comparison (prefix ignored)
bool
    xml_is (xmlNodePtr node, const char *local_name);
//  First child element with that local name, or NULL
xmlNodePtr
    xml_child (xmlNodePtr node, const char *local_name);
//  Next sibling element (after node) with that local name, or NULL
xmlNodePtr
    xml_next (xmlNodePtr node, const char *local_name);
//  First element child of any name, or NULL
xmlNodePtr
    xml_first_element (xmlNodePtr node);
//  Follow a path of local names separated by '/' ("head/docdata/doc-id")
xmlNodePtr
    xml_path (xmlNodePtr node, const char *path);
//  First descendant (depth first) with that local name, or NULL
xmlNodePtr
    xml_find (xmlNodePtr node, const char *local_name);
//  Attribute value by local name (prefix ignored), trimmed. Caller frees;
//  NULL if absent or empty.
char *
    xml_attr (xmlNodePtr node, const char *local_name);
//  All text inside node, whitespace collapsed and trimmed. Caller frees;
//  NULL if empty.
char *
    xml_text (xmlNodePtr node);
//  The text of the child at path, as xml_text. Caller frees; NULL if absent.
char *
    xml_path_text (xmlNodePtr node, const char *path);
//  Serialise the children of node as markup (for XHTML/NITF bodies, later
//  cleaned by html_to_text/html_sanitize). Caller frees; NULL if empty.
char *
    xml_inner_markup (xmlNodePtr node);
//  Serialise node itself with its children (outer markup), e.g. one item of
//  a newsMessage for its sha256 and dead letters. Sets *size. Caller frees;
//  NULL if node is NULL.
char *
    xml_outer_markup (xmlNodePtr node, size_t *size);
//  All text inside node as xml_text, but element boundaries separate words:
//  "By <person>A. Writer</person><byttl>AP</byttl>" gives "By A. Writer AP"
//  where xml_text gives "By A. WriterAP". Text-formatting elements (em, b,
//  i, strong, span, a, sup, sub...) do not: "Gold<sup>1</sup>" stays
//  "Gold1". No break before punctuation. Comments and PIs are skipped.
//  Caller frees; NULL if empty.
char *
    xml_text_spaced (xmlNodePtr node);
//  Next sibling element (after node) of any name, or NULL
xmlNodePtr
    xml_next_element (xmlNodePtr node);
//  The xml:lang in scope at node (inherited), or NULL. Caller frees.
char *
    xml_lang (xmlNodePtr node);
//  Namespace URI of the element, or "" if none
const char *
    xml_ns (xmlNodePtr node);
//  Line number of the node in the source, for messages
long
    xml_line (xmlNodePtr node);

#endif
