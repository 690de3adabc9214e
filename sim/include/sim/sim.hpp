// Everything a model or a scenario needs from the kernel, in one include.
#pragma once

#include "sim/check.hpp"
#include "sim/ctx.hpp"
#include "sim/host.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"
#include "sim/sync.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"
