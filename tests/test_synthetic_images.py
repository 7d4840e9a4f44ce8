"""Tests of the synthetic medical-style image generator."""


import numpy as np
import pytest

from medmeta_lite.data.preprocessing import standardise_images
from medmeta_lite.data.synthetic_images import (
    CLASS_NAMES,
    META_TEST_CLASSES,
    META_TRAIN_CLASSES,
    STYLES,
    load_synthetic_split,
    make_synthetic_images,
)


def test_enough_classes_and_disjoint_meta_splits():
    assert len(CLASS_NAMES) >= 20
    assert len(set(CLASS_NAMES)) == len(CLASS_NAMES)
    assert not set(META_TRAIN_CLASSES) & set(META_TEST_CLASSES)
    assert sorted(META_TRAIN_CLASSES + META_TEST_CLASSES) == list(range(len(CLASS_NAMES)))
    assert len(META_TEST_CLASSES) >= 5  # enough for 5-way meta-test episodes


def test_shapes_dtype_and_per_image_standardisation():
    data = make_synthetic_images(4, random_state=0)
    assert data.images.shape == (4 * len(CLASS_NAMES), 28, 28)
    assert data.images.dtype == np.float32
    assert data.labels.tolist() == np.repeat(np.arange(len(CLASS_NAMES)), 4).tolist()
    np.testing.assert_allclose(data.images.mean(axis=(1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(data.images.std(axis=(1, 2)), 1, atol=1e-3)


def test_deterministic_given_seed():
    first = make_synthetic_images(3, style="scanner_b", random_state=7)
    second = make_synthetic_images(3, style="scanner_b", random_state=7)
    other = make_synthetic_images(3, style="scanner_b", random_state=8)
    np.testing.assert_array_equal(first.images, second.images)
    assert not np.allclose(first.images, other.images)


def test_classes_by_name_and_index_agree():
    by_name = make_synthetic_images(2, classes=["ring", "cross"], random_state=1)
    by_index = make_synthetic_images(2, classes=[CLASS_NAMES.index("ring"), CLASS_NAMES.index("cross")],
                                     random_state=1)
    np.testing.assert_array_equal(by_name.images, by_index.images)
    assert by_name.class_names == ("ring", "cross")


def test_images_of_a_class_vary():
    # Position, size and rotation jitter: two images of one class are never the same picture.
    images = make_synthetic_images(10, classes=["disc"], random_state=0).images.reshape(10, -1)
    correlation = np.corrcoef(images)[np.triu_indices(10, 1)]
    assert correlation.max() < 0.99


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_gives_finite_standardised_images(style):
    images = make_synthetic_images(2, style=style, random_state=0).images
    assert np.isfinite(images).all()
    np.testing.assert_allclose(images.std(axis=(1, 2)), 1, atol=1e-3)


def test_styles_change_appearance():
    def roughness(images):
        return np.abs(np.diff(images, axis=2)).mean()

    standard = make_synthetic_images(20, classes=["ring"], random_state=0).images
    noisy = make_synthetic_images(20, classes=["ring"], style="noisy", random_state=0).images
    assert roughness(noisy) > 1.2 * roughness(standard)
    for style in sorted(set(STYLES) - {"standard"}):
        shifted = make_synthetic_images(20, classes=["ring"], style=style, random_state=0).images
        assert np.abs(shifted - standard).mean() > 0.1, style


def test_meta_splits():
    train = load_synthetic_split("meta_train", 2, random_state=0)
    test = load_synthetic_split("meta_test", 2, random_state=0)
    assert set(train.labels.tolist()) == set(META_TRAIN_CLASSES)
    assert set(test.labels.tolist()) == set(META_TEST_CLASSES)
    assert "synthetic" in make_synthetic_images.__doc__.lower()


@pytest.mark.parametrize("kwargs, message", [
    ({"n_per_class": 0}, "n_per_class"),
    ({"style": "mri"}, "style"),
    ({"classes": ["not a class"]}, "unknown class"),
    ({"classes": [99]}, "neither"),
    ({"classes": [1, 1]}, "duplicates"),
])
def test_bad_arguments_raise(kwargs, message):
    arguments = {"n_per_class": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        make_synthetic_images(**arguments)
    with pytest.raises(ValueError, match="split"):
        load_synthetic_split("validation")


def test_standardise_images_handles_constant_images():
    out = standardise_images(np.ones((2, 4, 4)))
    assert np.isfinite(out).all() and np.allclose(out, 0)
    with pytest.raises(ValueError, match="shape"):
        standardise_images(np.ones(4))
