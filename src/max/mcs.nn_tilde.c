/* nn~ in C — the Max object [mcs.nn~]: one multichannel cord per batch example, whose channels are the model
 * dimensions. SPDX-License-Identifier: MIT
 *
 * The class is the nn~ family's (nn_max.c) with this layout; behaviour is in src/obj/.
 */
#include "nn_max.h"

C74_EXPORT void ext_main(void *r)
{
    (void)r;
    nn_max_tilde_class("mcs.nn~", NN_LAYOUT_CORD_PER_EXAMPLE, NN_GRAMMAR_MCS);
}
