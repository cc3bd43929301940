/* nn~ in C — reads the storages a TorchScript pickle (data.pkl, constants.pkl) asks for.
 * SPDX-License-Identifier: MIT
 *
 * libtorch 1.13 sizes each tensor storage from the pickle (numel x element size) and fills it
 * from the archive record of that key without comparing sizes: a short or empty record gives
 * a tensor over missing or uninitialised memory. This scanner walks the pickle's opcodes
 * (protocol 0-5 framing, only the stack effects it needs, no object is built) and reports
 * every persistent id ('storage', <Storage class>, key, location, numel) so that the caller
 * can compare the bytes they need with the size of the record. An opcode it does not know,
 * a stack underflow or a truncated argument makes the pickle corrupt.
 */
#include "pickle_scan.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_OTHER, T_MARK, T_STR, T_INT, T_GLOBAL, T_PERSID } token_kind;

typedef struct token {
    token_kind kind;
    const char *s; /* T_STR, T_GLOBAL: text inside the pickle (not terminated) */
    size_t len;
    int64_t i;
    const char *key; /* T_PERSID */
    size_t key_len;
    int64_t numel;
    int item;
} token;

#define SCAN_MAX_STACK 100000
#define SCAN_MAX_MEMO (1 << 22)

typedef struct scanner {
    const unsigned char *p, *end;
    token *stack;
    size_t depth, cap;
    token *memo;
    size_t memo_cap;
    size_t memo_len; /* highest index set + 1: MEMOIZE's index */
    char *why;
    size_t why_size;
} scanner;

static bool fail(scanner *s, const char *what)
{
    snprintf(s->why, s->why_size, "%s", what);
    return false;
}

static bool push(scanner *s, token t)
{
    if (s->depth == s->cap) {
        if (s->cap >= SCAN_MAX_STACK)
            return fail(s, "pickle stack too deep");
        size_t cap = s->cap ? 2 * s->cap : 64;
        token *grown = realloc(s->stack, cap * sizeof *grown);
        if (!grown)
            return fail(s, "out of memory");
        s->stack = grown;
        s->cap = cap;
    }
    s->stack[s->depth++] = t;
    return true;
}

static bool pop(scanner *s, size_t n)
{
    if (s->depth < n)
        return fail(s, "pickle stack underflow");
    for (size_t i = s->depth - n; i < s->depth; i++)
        if (s->stack[i].kind == T_MARK)
            return fail(s, "pickle pops a mark");
    s->depth -= n;
    return true;
}

/* Index of the topmost mark, or -1. */
static long find_mark(const scanner *s)
{
    for (size_t i = s->depth; i > 0; i--)
        if (s->stack[i - 1].kind == T_MARK)
            return (long)(i - 1);
    return -1;
}

static bool need(scanner *s, size_t n)
{
    if ((size_t)(s->end - s->p) < n)
        return fail(s, "pickle truncated");
    return true;
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static bool memo_put(scanner *s, uint64_t index)
{
    if (s->depth == 0)
        return fail(s, "pickle memoizes an empty stack");
    if (index >= SCAN_MAX_MEMO)
        return fail(s, "pickle memo index too large");
    if (index >= s->memo_cap) {
        size_t cap = s->memo_cap ? s->memo_cap : 256;
        while (cap <= index)
            cap *= 2;
        token *grown = realloc(s->memo, cap * sizeof *grown);
        if (!grown)
            return fail(s, "out of memory");
        memset(grown + s->memo_cap, 0, (cap - s->memo_cap) * sizeof *grown);
        s->memo = grown;
        s->memo_cap = cap;
    }
    s->memo[index] = s->stack[s->depth - 1];
    if (index + 1 > s->memo_len)
        s->memo_len = index + 1;
    return true;
}

static bool memo_get(scanner *s, uint64_t index)
{
    if (index >= s->memo_cap)
        return fail(s, "pickle reads an unset memo entry");
    return push(s, s->memo[index]);
}

static const unsigned char *line_end(scanner *s)
{
    const unsigned char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
    if (!nl)
        fail(s, "pickle truncated in a text argument");
    return nl;
}

static bool str_is(const token *t, const char *text)
{
    return t->kind == T_STR && t->len == strlen(text) && memcmp(t->s, text, t->len) == 0;
}

/* Element size of a torch Storage class named in a GLOBAL ("torch\nFloatStorage"), 0 if unknown. */
static int storage_item(const token *t)
{
    static const struct {
        const char *name;
        int size;
    } known[] = {{"FloatStorage", 4},        {"DoubleStorage", 8},       {"HalfStorage", 2},
                 {"BFloat16Storage", 2},     {"LongStorage", 8},         {"IntStorage", 4},
                 {"ShortStorage", 2},        {"CharStorage", 1},         {"ByteStorage", 1},
                 {"BoolStorage", 1},         {"ComplexFloatStorage", 8}, {"ComplexDoubleStorage", 16},
                 {"QInt8Storage", 1},        {"QUInt8Storage", 1},       {"QInt32Storage", 4},
                 {"QUInt4x2Storage", 1},     {"QUInt2x4Storage", 1}};
    if (t->kind != T_GLOBAL || t->len < 7 || memcmp(t->s, "torch\n", 6) != 0)
        return 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (t->len - 6 == strlen(known[i].name) && memcmp(t->s + 6, known[i].name, t->len - 6) == 0)
            return known[i].size;
    return 0;
}

/* TUPLE over [mark+1, depth): a persistent id when it has the storage shape. */
static token make_tuple(const scanner *s, size_t from)
{
    token t = {.kind = T_OTHER};
    const token *e = s->stack + from;
    if (s->depth - from == 5 && str_is(&e[0], "storage") && e[1].kind == T_GLOBAL && e[2].kind == T_STR &&
        e[3].kind == T_STR && e[4].kind == T_INT) {
        t.kind = T_PERSID;
        t.key = e[2].s;
        t.key_len = e[2].len;
        t.numel = e[4].i;
        t.item = storage_item(&e[1]);
    }
    return t;
}

static bool pop_to_mark(scanner *s, bool push_one)
{
    long mark = find_mark(s);
    if (mark < 0)
        return fail(s, "pickle has no mark");
    s->depth = (size_t)mark;
    return push_one ? push(s, (token){.kind = T_OTHER}) : true;
}

static bool scan(scanner *s, nn_pickle_storage_fn fn, void *user)
{
    while (s->p < s->end) {
        unsigned char op = *s->p++;
        uint64_t n;
        token t = {.kind = T_OTHER};
        switch (op) {
        case '.': return true; /* STOP */
        case '(': t.kind = T_MARK; if (!push(s, t)) return false; break;
        case '0': if (!pop(s, 1)) return false; break;
        case '1': if (!pop_to_mark(s, false)) return false; break;
        case '2':
            if (s->depth == 0)
                return fail(s, "pickle stack underflow");
            if (!push(s, s->stack[s->depth - 1]))
                return false;
            break;
        case 'N': case 0x88: case 0x89: case ')': case ']': case '}': case 0x8f:
            if (!push(s, t)) return false;
            break;
        case 'R': case 0x81: case 0x93: if (!pop(s, 2) || !push(s, t)) return false; break;
        case 0x92: if (!pop(s, 3) || !push(s, t)) return false; break;
        case 'b': case 'a': if (!pop(s, 1)) return false; break;
        case 's': if (!pop(s, 2)) return false; break;
        case 'e': case 'u': case 0x90: if (!pop_to_mark(s, false)) return false; break;
        case 'l': case 'd': case 'o': case 0x91: if (!pop_to_mark(s, true)) return false; break;
        case 't': {
            long mark = find_mark(s);
            if (mark < 0)
                return fail(s, "pickle has no mark");
            t = make_tuple(s, (size_t)mark + 1);
            s->depth = (size_t)mark;
            if (!push(s, t))
                return false;
            break;
        }
        case 0x85: case 0x86: case 0x87:
            if (!pop(s, (size_t)(op - 0x84)) || !push(s, t)) return false;
            break;
        case 'Q': /* BINPERSID */
            if (s->depth == 0)
                return fail(s, "pickle stack underflow");
            if (s->stack[s->depth - 1].kind == T_PERSID) {
                const token *id = &s->stack[s->depth - 1];
                if (!fn(user, id->key, id->key_len, id->numel, id->item, s->why, s->why_size))
                    return false;
            }
            s->stack[s->depth - 1] = t;
            break;
        case 0x80: case 'q': case 'h': case 'K': case 0x82: /* one-byte argument */
            if (!need(s, 1)) return false;
            n = *s->p++;
            if (op == 'q' && !memo_put(s, n)) return false;
            if (op == 'h' && !memo_get(s, n)) return false;
            if (op == 'K' && !push(s, (token){.kind = T_INT, .i = (int64_t)n})) return false;
            if (op == 0x82 && !push(s, t)) return false;
            break;
        case 'M': case 0x83:
            if (!need(s, 2)) return false;
            n = le(s->p, 2);
            s->p += 2;
            if (!push(s, op == 'M' ? (token){.kind = T_INT, .i = (int64_t)n} : t)) return false;
            break;
        case 'J': case 'j': case 'r': case 0x84:
            if (!need(s, 4)) return false;
            n = le(s->p, 4);
            s->p += 4;
            if (op == 'J' && !push(s, (token){.kind = T_INT, .i = (int32_t)(uint32_t)n})) return false;
            if (op == 'j' && !memo_get(s, n)) return false;
            if (op == 'r' && !memo_put(s, n)) return false;
            if (op == 0x84 && !push(s, t)) return false;
            break;
        case 0x94: if (!memo_put(s, s->memo_len)) return false; break; /* MEMOIZE */
        case 'G': if (!need(s, 8) || !push(s, t)) return false; s->p += 8; break;
        case 0x95: if (!need(s, 8)) return false; s->p += 8; break; /* FRAME */
        case 'U': case 0x8c: case 'C': case 0x8a: /* one-byte length */
            if (!need(s, 1)) return false;
            n = *s->p++;
            goto sized;
        case 'T': case 'X': case 'B': case 0x8b: /* four-byte length */
            if (!need(s, 4)) return false;
            n = le(s->p, 4);
            s->p += 4;
            goto sized;
        case 0x8d: case 0x8e: /* eight-byte length */
            if (!need(s, 8)) return false;
            n = le(s->p, 8);
            s->p += 8;
        sized:
            if ((uint64_t)(s->end - s->p) < n)
                return fail(s, "pickle truncated in a string");
            if (op == 'X' || op == 0x8c || op == 0x8d) {
                t.kind = T_STR;
                t.s = (const char *)s->p;
                t.len = (size_t)n;
            } else if (op == 0x8a && n <= 8) {
                uint64_t v = n ? le(s->p, (int)n) : 0;
                if (n && n < 8 && (s->p[n - 1] & 0x80))
                    v |= ~(uint64_t)0 << (8 * n);
                t.kind = T_INT;
                t.i = (int64_t)v;
            }
            s->p += n;
            if (!push(s, t))
                return false;
            break;
        case 'c': case 'i': { /* module\nname\n */
            const unsigned char *start = s->p, *nl = line_end(s);
            if (!nl)
                return false;
            s->p = nl + 1;
            if (!(nl = line_end(s)))
                return false;
            s->p = nl + 1;
            if (op == 'i') {
                if (!pop_to_mark(s, true))
                    return false;
                break;
            }
            t.kind = T_GLOBAL;
            t.s = (const char *)start;
            t.len = (size_t)(nl - start);
            if (!push(s, t))
                return false;
            break;
        }
        case 'I': case 'L': case 'F': case 'S': case 'V': case 'P': case 'g': case 'p': {
            const unsigned char *nl = line_end(s);
            if (!nl)
                return false;
            s->p = nl + 1;
            if (op != 'p' && !push(s, t))
                return false;
            break;
        }
        default: {
            char what[64];
            snprintf(what, sizeof what, "unknown pickle opcode 0x%02x", op);
            return fail(s, what);
        }
        }
    }
    return fail(s, "pickle ends without STOP");
}

bool nn_pickle_scan(const unsigned char *data, size_t size, nn_pickle_storage_fn fn, void *user, char *why,
                    size_t why_size)
{
    scanner s = {.p = data, .end = data + size, .why = why, .why_size = why_size};
    why[0] = '\0';
    bool ok = scan(&s, fn, user);
    free(s.stack);
    free(s.memo);
    return ok;
}
