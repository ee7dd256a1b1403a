# ccache, when installed, so that a fresh clone reuses the object files of an earlier build.
# CCACHE_BASEDIR makes the source tree's absolute paths relative in what ccache hashes: a clone in
# another folder hits. The sloppiness lets precompiled headers (torch, Qt Test) be cached and used.
option(CSQ_CCACHE "Compile through ccache when it is installed" ON)
find_program(CSQ_CCACHE_PROGRAM ccache)
if(CSQ_CCACHE AND CSQ_CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      "${CMAKE_COMMAND}" -E env "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}"
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_NOHASHDIR=1" "${CSQ_CCACHE_PROGRAM}")
  message(STATUS "Compiler cache: ${CSQ_CCACHE_PROGRAM} (base dir ${CMAKE_SOURCE_DIR})")
endif()
