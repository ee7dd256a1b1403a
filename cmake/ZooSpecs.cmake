# csq_generate_zoo_specs(<output dir>): writes <output dir>/models/zoo_specs.h, the zoo models' JSON
# specs from resources/models compiled in as raw strings (one source of truth for core and fuzz).
function(csq_generate_zoo_specs out_dir)
  set(CSQ_ZOO_MODELS mlp lenet5 resnet20)
  set(CSQ_ZOO_ENTRIES "")
  foreach(model IN LISTS CSQ_ZOO_MODELS)
    set(spec_file "${PROJECT_SOURCE_DIR}/resources/models/${model}.json")
    file(READ "${spec_file}" spec_text)
    string(APPEND CSQ_ZOO_ENTRIES "    {\"${model}\", R\"csqspec(${spec_text})csqspec\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${spec_file}")
  endforeach()
  configure_file("${PROJECT_SOURCE_DIR}/core/models/zoo_specs.h.in" "${out_dir}/models/zoo_specs.h" @ONLY)
endfunction()
