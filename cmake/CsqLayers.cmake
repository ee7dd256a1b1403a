# csq_layer(<prefix> <folder> [TORCH] [SEES <folders>...] SOURCES <files>...): the folder as a static
# library <prefix>_<folder> that links, and sees, only the folders listed under SEES (the layers below
# it, all of them, not only the next). It compiles against an include root that holds links to just
# those folders and its own, so an include of a higher folder does not compile (docs/architecture.md
# §1). TORCH: the folder's code includes LibTorch, precompiled once per prefix.
function(csq_layer prefix folder)
  cmake_parse_arguments(PARSE_ARGV 2 arg "TORCH" "" "SEES;SOURCES")
  set(target ${prefix}_${folder})
  set(root "${CMAKE_CURRENT_BINARY_DIR}/layers/${folder}")
  file(REMOVE_RECURSE "${root}")
  file(MAKE_DIRECTORY "${root}")
  foreach(seen IN LISTS folder arg_SEES)
    file(CREATE_LINK "${CMAKE_CURRENT_SOURCE_DIR}/${seen}" "${root}/${seen}" SYMBOLIC)
  endforeach()
  list(TRANSFORM arg_SOURCES PREPEND "${folder}/")
  add_library(${target} STATIC ${arg_SOURCES})
  target_include_directories(${target} PRIVATE "${root}")
  target_link_libraries(${target} PUBLIC csq_common)
  foreach(seen IN LISTS arg_SEES)
    target_link_libraries(${target} PUBLIC ${prefix}_${seen})
  endforeach()
  if(arg_TORCH)
    target_link_libraries(${target} PRIVATE ${TORCH_LIBRARIES})
    # torch/torch.h costs ~20 s per translation unit: precompiled once and reused by every layer.
    # Named in angle brackets, not as a file: CMake then writes no absolute path into its generated
    # PCH header, so a fresh clone in another folder hits ccache for the PCH and every file using it.
    if(csq_layer_pch_${prefix})
      target_precompile_headers(${target} REUSE_FROM ${csq_layer_pch_${prefix}})
    else()
      target_precompile_headers(${target} PRIVATE <torch/torch.h>)
      set(csq_layer_pch_${prefix} ${target} PARENT_SCOPE)
    endif()
  endif()
endfunction()
