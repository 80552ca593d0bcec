//  SPDX-License-Identifier: MIT
//  crc32c - CRC-32C (Castagnoli), the journal's record checksum
//
//  Reflected polynomial 0x82F63B78, as in iSCSI, ext4 and LevelDB: the
//  check value of "123456789" is 0xE3069283. Uses the SSE 4.2 crc32
//  instruction (three interleaved lanes) when the CPU has it, else a table.
//  Thread-safe.

#ifndef COPYDESK_CRC32C_H
#define COPYDESK_CRC32C_H

//  Continue a CRC-32C over size more bytes of data; start with crc = 0.
//  crc32c_update (crc32c_update (0, a, n), b, m) is the CRC of a then b.
uint32_t
    crc32c_update (uint32_t crc, const void *data, size_t size);

#endif
