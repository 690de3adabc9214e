# Every dependency comes from a Debian package (scripts/setup.sh installs them) and is found
# here with find_package. Nothing is downloaded at build time.
find_package(Boost 1.74 REQUIRED COMPONENTS context)
find_package(Threads REQUIRED)

if(NOT FAULTLINE_KERNEL_ONLY)
  find_package(fmt REQUIRED)
  find_package(spdlog REQUIRED)
  find_package(yaml-cpp REQUIRED)
  find_package(CLI11 REQUIRED)
  find_package(nlohmann_json 3 REQUIRED)
  if(FAULTLINE_BUILD_TESTS)
    find_package(GTest REQUIRED)
    find_package(rapidcheck REQUIRED)
  endif()
  if(FAULTLINE_BUILD_BENCH)
    find_package(benchmark REQUIRED)
  endif()
endif()
