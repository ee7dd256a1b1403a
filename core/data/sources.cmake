# Sources of core/data, added to csqcore.
target_sources(csqcore PRIVATE
  data/dataset.cpp
  data/idx_reader.cpp
  data/cifar_reader.cpp
  data/image_decode.cpp data/image_folder.cpp
  data/normalization.cpp
  data/split.cpp
  data/augmentation.cpp
  data/batcher.cpp
  data/prefetcher.cpp
  data/dataset_loader.cpp
  data/dataset_preview.cpp
)
