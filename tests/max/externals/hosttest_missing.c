/* nn~ in C — hosttest_missing: a test-only external that calls a Max API function the test
 * host does not provide (hashtab_new), so that loading it must fail and name the function.
 * SPDX-License-Identifier: MIT
 */
#include "ext.h"
#include "ext_hashtab.h"
#include "ext_obex.h"

void ext_main(void *r)
{
    (void)r;
    t_hashtab *h = hashtab_new(0);
    object_free(h);
}
