# GUI tests (label gui): csqui's panels under the offscreen platform. They include no torch header,
# so they link csqui + Qt Test only (csqui brings the engine) and need no precompiled header.
if(CSQ_BUILD_GUI)
  # csq_add_gui_test(<name> [TIMEOUT seconds]): one test file, one class under test.
  function(csq_add_gui_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT;LABEL" "" ${ARGN})
    add_executable(${name} ${name}.cpp)
    # QCustomPlot too: a test may reach into a panel's plot (csqui links it privately).
    target_link_libraries(${name} PRIVATE csq_common csqui Qt6::Test Qt6::Svg QCustomPlotQt6::QCustomPlotQt6)
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
      set(ARG_TIMEOUT 120)
    endif()
    if(NOT ARG_LABEL)
      set(ARG_LABEL gui)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
                         ENVIRONMENT "QT_QPA_PLATFORM=offscreen")
  endfunction()

  csq_add_gui_test(tst_gui_metrics_store)
  csq_add_gui_test(tst_gui_plot_panel)
  csq_add_gui_test(tst_gui_gate_heatmap_view)
  csq_add_gui_test(tst_gui_beta_schedule_view)
  csq_add_gui_test(tst_gui_precision_view)
  csq_add_gui_test(tst_gui_sensitivity_view)
  csq_add_gui_test(tst_gui_layer_bits_view)
  csq_add_gui_test(tst_gui_loss_accuracy_view)
  csq_add_gui_test(tst_gui_setup_panel)
  csq_add_gui_test(tst_gui_budget_panel)
  csq_add_gui_test(tst_gui_dataset_inspector)
  csq_add_gui_test(tst_gui_pareto_view)
  csq_add_gui_test(tst_gui_run_comparison)
  csq_add_gui_test(tst_gui_run_result_card)
  # A run folder written stage by stage as csq-train writes it, followed live (short poll interval).
  csq_add_gui_test(tst_gui_run_follower TIMEOUT 60)
  # These train a tiny real run (2000 synthetic images the test writes, 2 epochs).
  csq_add_gui_test(tst_gui_session_bridge TIMEOUT 300)
  csq_add_gui_test(tst_gui_main_window TIMEOUT 400)
  # TorchScript models written by Python (tests/CMakeLists.txt): a drop of a model, one that does not fit.
  set_property(TEST tst_gui_main_window PROPERTY FIXTURES_REQUIRED scripted_models)
  set_property(TEST tst_gui_main_window APPEND PROPERTY
               ENVIRONMENT "CSQ_SCRIPTED_MODELS=${CMAKE_CURRENT_BINARY_DIR}/scripted_models")
  # Random start/pause/resume/update/stop/finalize/export/close from the GUI thread (seeded).
  csq_add_gui_test(tst_gui_stress TIMEOUT 400)
  # Validation, then a tiny two-run sweep stopped, resumed and finished (2000 synthetic images).
  csq_add_gui_test(tst_gui_sweep_dialog TIMEOUT 500)
  # The default setup's one-click start on the installed Fashion-MNIST (fails naming the package if missing).
  csq_add_gui_test(tst_gui_default_setup TIMEOUT 300 LABEL data)
endif()
