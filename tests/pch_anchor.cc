// Anchors the shared precompiled header of the engine tests (tests/test_pch.h); holds no code.
