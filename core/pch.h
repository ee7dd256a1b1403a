#pragma once
// Precompiled once per build: torch/torch.h costs ~20 s per translation unit on these machines.
#include <torch/torch.h>
