# One INTERFACE target carries what every project target shares: the language standard,
# warnings, and the Qt keyword switch (Qt's `slots` macro collides with torch headers).
add_library(csq_common INTERFACE)
target_compile_features(csq_common INTERFACE cxx_std_20)
target_compile_definitions(csq_common INTERFACE QT_NO_KEYWORDS)
target_compile_options(csq_common INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wpedantic>)
# The release preset (what CI builds) turns every warning into an error, so a new one fails the build
# of the change that made it.
option(CSQ_WARNINGS_AS_ERRORS "Fail the build on any compiler warning" OFF)
if(CSQ_WARNINGS_AS_ERRORS)
  target_compile_options(csq_common INTERFACE -Werror)
endif()

set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# Sanitizers for bug hunting: -DCSQ_SANITIZE=address,undefined or -DCSQ_SANITIZE=thread
set(CSQ_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list (empty: none)")
if(CSQ_SANITIZE)
  target_compile_options(csq_common INTERFACE -fsanitize=${CSQ_SANITIZE} -fno-omit-frame-pointer)
  target_link_options(csq_common INTERFACE -fsanitize=${CSQ_SANITIZE})
endif()
