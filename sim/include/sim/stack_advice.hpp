// The advice an overflowing process's line ends with: how to give processes more stack, in the
// words of the layer that sets the size. The kernel's own names sim::Options::stack_size; a
// layer above (the scenario language: "limits.stack_kib") may say where its users set it.
#pragma once

namespace sim {

// `advice` must outlive every run (a string literal): the report reads it from a signal handler.
// Null restores the kernel's own.
void set_stack_overflow_advice(const char* advice) noexcept;

}  // namespace sim
