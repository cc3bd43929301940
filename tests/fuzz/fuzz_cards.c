/* nn~ in C — libFuzzer target: the download API's JSON model list and card names.
 * SPDX-License-Identifier: MIT
 *
 * parse_card_list is private to src/core/download.c, which is compiled into this target
 * (included) so that the fuzzer reaches it exactly as a server's answer does. Every card it
 * accepts must validate again, and nn_card_validate must handle any string.
 */
#include "../../src/core/download.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    nn_error err;
    nn_card_list list = {0, NULL};
    if (parse_card_list(text, "http://fuzz", &list, &err) == NN_OK) {
        for (int i = 0; i < list.count; i++)
            if (nn_card_validate(list.cards[i], NULL) != NN_OK)
                abort();
        nn_card_list_clear(&list);
    }
    nn_card_validate(text, &err);
    free(text);
    return 0;
}
