//  SPDX-License-Identifier: MIT
//  parsers - one parse function per wire format (see ingest.h for the contract)

#ifndef COPYDESK_PARSERS_H
#define COPYDESK_PARSERS_H

#include "ingest/ingest.h"

parser_fn reuters_parse;        //  reuters.c    Reuters-21578 SGML
parser_fn plaintext_parse;      //  plaintext.c  plain-text stories and bulletins
parser_fn nitf_parse;           //  nitf.c       NITF 3.x
parser_fn newsmlg2_parse;       //  newsmlg2.c   NewsML-G2 items and messages
parser_fn newsml1_parse;        //  newsml1.c    NewsML 1.x
parser_fn iptc7901_parse;       //  iptc7901.c   IPTC 7901 teletype
parser_fn anpa_parse;           //  anpa.c       ANPA-1312 teletype
parser_fn zczc_parse;           //  zczc.c       AAP ZCZC teletype
parser_fn ninjs_parse;          //  ninjs.c      ninjs 1.x/2.x/3.x JSON
parser_fn jsonfeed_parse;       //  jsonfeed.c   JSON Feed 1.0/1.1
parser_fn rss_parse;            //  rss.c        RSS 0.9x/1.0 (RDF)/2.0
parser_fn atom_parse;           //  atom.c       Atom 1.0/0.3

#endif
