# The README's verbatim --help block of a program is what the program's --help prints, so a new flag or
# a changed help line cannot leave the README behind. Run as:
#   cmake -DPROGRAM=<path of csq-train or csq-bench> -DNAME=<csq-train|csq-bench> -DREADME=<README.md> -P readme_help.cmake
execute_process(COMMAND "${PROGRAM}" --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NAME} --help failed: ${rc}")
endif()
file(READ "${README}" readme)
string(FIND "${readme}" "Usage: ${NAME} [options]" begin)
if(begin EQUAL -1)
  message(FATAL_ERROR "README.md has no ${NAME} --help block")
endif()
string(SUBSTRING "${readme}" ${begin} -1 rest)
string(FIND "${rest}" "\n```" end)
string(SUBSTRING "${rest}" 0 ${end} block)
string(STRIP "${help}" help)
string(STRIP "${block}" block)
if(NOT help STREQUAL block)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/${NAME}-help.txt" "${help}\n")
  message(FATAL_ERROR "README.md's ${NAME} --help block differs from ${NAME} --help; paste "
                      "${CMAKE_CURRENT_BINARY_DIR}/${NAME}-help.txt over it")
endif()
