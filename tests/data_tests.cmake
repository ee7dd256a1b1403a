# Tests of core/data.
csq_add_engine_test(tst_idx_reader LABEL unit)
csq_add_engine_test(tst_cifar_reader LABEL unit)
csq_add_engine_test(tst_batcher LABEL unit)
csq_add_engine_test(tst_dataset_loader LABEL unit)
csq_add_engine_test(tst_image_folder LABEL unit)
csq_add_engine_test(tst_image_folder_training LABEL e2e)
