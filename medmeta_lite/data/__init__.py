"""Data: bundled files, tabular and sinusoid tasks, MedMNIST, synthetic images and image preprocessing.
"""

from medmeta_lite.data.bundled import (
    DATA_ENVIRONMENT_VARIABLE,
    TOY_LINE_FILE,
    TOY_LINE_SLOPE,
    copy_notebooks,
    data_dir,
    list_notebooks,
    load_diabetes_tasks,
    load_toy_line,
    make_toy_line,
    notebooks_dir,
    write_toy_line,
)
from medmeta_lite.data.medmnist import (
    DEFAULT_URL_BASE,
    KNOWN_SUBSETS,
    OFFICIAL_MD5,
    MedMNISTSplits,
    file_md5,
    load_medmnist,
)
from medmeta_lite.data.preprocessing import add_channel_axis, prepare_images, standardise_images, to_grayscale
from medmeta_lite.data.synthetic_images import (
    IMAGE_SIZE,
    META_TEST_CLASSES,
    META_TRAIN_CLASSES,
    STYLES,
    AcquisitionStyle,
    SyntheticImages,
    load_synthetic_split,
    make_synthetic_images,
)
from medmeta_lite.data.tasks import LinearTaskSampler, SinusoidTaskSampler, Task, TaskSampler

__all__ = [
    "copy_notebooks",
    "list_notebooks",
    "notebooks_dir",
    "AcquisitionStyle",
    "DATA_ENVIRONMENT_VARIABLE",
    "DEFAULT_URL_BASE",
    "IMAGE_SIZE",
    "KNOWN_SUBSETS",
    "LinearTaskSampler",
    "META_TEST_CLASSES",
    "META_TRAIN_CLASSES",
    "MedMNISTSplits",
    "OFFICIAL_MD5",
    "STYLES",
    "SinusoidTaskSampler",
    "SyntheticImages",
    "TOY_LINE_FILE",
    "TOY_LINE_SLOPE",
    "Task",
    "TaskSampler",
    "add_channel_axis",
    "data_dir",
    "file_md5",
    "load_diabetes_tasks",
    "load_medmnist",
    "load_synthetic_split",
    "load_toy_line",
    "make_synthetic_images",
    "make_toy_line",
    "prepare_images",
    "standardise_images",
    "to_grayscale",
    "write_toy_line",
]
