# A program's page (docs/cli/<program>.md) holds its --help verbatim, so a new flag or a changed help
# line cannot leave the page behind. Run as:
#   cmake -DPROGRAM=<path of csq-train or csq-bench> -DNAME=<csq-train|csq-bench> -DPAGE=<docs/cli/NAME.md> -P docs_help.cmake
execute_process(COMMAND "${PROGRAM}" --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NAME} --help failed: ${rc}")
endif()
file(READ "${PAGE}" page)
string(FIND "${page}" "Usage: ${NAME} [options]" begin)
if(begin EQUAL -1)
  message(FATAL_ERROR "${PAGE} has no ${NAME} --help block")
endif()
string(SUBSTRING "${page}" ${begin} -1 rest)
string(FIND "${rest}" "\n```" end)
string(SUBSTRING "${rest}" 0 ${end} block)
string(STRIP "${help}" help)
string(STRIP "${block}" block)
if(NOT help STREQUAL block)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/${NAME}-help.txt" "${help}\n")
  message(FATAL_ERROR "${PAGE}'s ${NAME} --help block differs from ${NAME} --help; paste "
                      "${CMAKE_CURRENT_BINARY_DIR}/${NAME}-help.txt over it")
endif()
