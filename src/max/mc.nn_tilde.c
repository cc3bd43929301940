/* nn~ in C — the Max object [mc.nn~]: one multichannel cord per model dimension, whose channels are batch examples.
 * SPDX-License-Identifier: MIT
 *
 * The class is the nn~ family's (nn_max.c) with this layout; behaviour is in src/obj/.
 */
#include "nn_max.h"

C74_EXPORT void ext_main(void *r)
{
    (void)r;
    nn_max_tilde_class("mc.nn~", NN_LAYOUT_CORD_PER_CHANNEL_BATCHED, NN_GRAMMAR_NN);
}
