// Everything a model or a scenario needs from the kernel, in one include.
#pragma once

#include "sim/check.hpp"
#include "sim/connection_pool.hpp"
#include "sim/ctx.hpp"
#include "sim/disk.hpp"
#include "sim/distribution.hpp"
#include "sim/faults.hpp"
#include "sim/host.hpp"
#include "sim/network.hpp"
#include "sim/random.hpp"
#include "sim/result.hpp"
#include "sim/rpc.hpp"
#include "sim/simulator.hpp"
#include "sim/sync.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"
