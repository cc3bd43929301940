// placeholder: replaced by the libtorch backend
#include "nn/nn.h"
