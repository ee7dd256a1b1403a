#pragma once
// Shared precompiled header of the engine tests: the two heavy header sets every test includes.
#include <torch/torch.h>

#include <QtTest>
