/* nn~ in C — the Max object [nn~]: one signal inlet per model input and one signal outlet per model output.
 * SPDX-License-Identifier: MIT
 *
 * The class is the nn~ family's (nn_max.c) with this layout; behaviour is in src/obj/.
 */
#include "nn_max.h"

C74_EXPORT void ext_main(void *r)
{
    (void)r;
    nn_max_tilde_class("nn~", NN_LAYOUT_CORD_PER_CHANNEL, NN_GRAMMAR_NN);
}
