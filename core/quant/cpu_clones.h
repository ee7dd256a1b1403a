#pragma once
// CSQ_CPU_CLONES before a function compiles it once per CPU level (AVX-512, AVX2 with FMA, the x86-64
// baseline) and lets the loader pick the copy the CPU runs (GCC's function multi-versioning). For
// csq's own elementwise loops over bit logits: built for the baseline alone they run 4 floats at a
// time, with no vectorised division or blend. The AVX copies may fuse a multiply and an add (FMA), so
// the last bits can differ between CPU levels, as in ATen's own kernels; one machine always runs the
// same copy. Sanitizer builds and other compilers take the baseline.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__)
#define CSQ_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CSQ_CPU_CLONES
#endif
