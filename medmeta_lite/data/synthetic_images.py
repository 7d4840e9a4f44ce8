"""Synthetic medical-style images for few-shot classification: an embedded, deterministic generator.

**These images are synthetic.** They are drawn by formulas, not acquired from patients, and only
*resemble* the kinds of structure radiologists look at (round lesions, ring-enhancing lesions, clusters of
micro-calcification-like dots, spiculated or lobulated borders, vessel-like lines, tissue textures). They
let the workbook run few-shot experiments offline with many classes, which real 28×28 MedMNIST sets
(2 to 11 classes each) cannot offer.

Classes differ by *structure* (shape, count, arrangement, texture, orientation), never by brightness:
every image is standardised to zero mean and unit standard deviation, after random position, size,
rotation, background and contrast jitter. Acquisition *styles* (contrast, noise, blur) change how the
same structures look, to model a new scanner or hospital (domain shift).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

from medmeta_lite.data.preprocessing import standardise_images
from medmeta_lite.validation import check_count, check_memory, make_rng

IMAGE_SIZE = 28

CLASS_NAMES = (
    "disc", "ring", "two_discs", "three_discs", "many_dots", "spiculated_mass", "lobulated_mass",
    "horizontal_stripes", "vertical_stripes", "checkerboard", "crosshatch", "target_rings", "bar",
    "cross", "branching_vessel", "fine_speckle", "coarse_blobs", "crescent", "square", "triangle", "arc",
    "ring_with_dot", "two_rings", "diagonal_stripes",
)
"""Names of the 24 synthetic classes; a label is the index into this tuple."""

META_TEST_CLASSES = (3, 8, 10, 13, 16, 19, 21, 22)
"""Classes held out for meta-testing (never seen during meta-training)."""

META_TRAIN_CLASSES = tuple(index for index in range(len(CLASS_NAMES)) if index not in META_TEST_CLASSES)
"""The 16 classes used for meta-training and for pre-training the fine-tuning baseline."""


@dataclass(frozen=True)
class AcquisitionStyle:
    """How an image is "acquired": contrast of the structure, noise, blur and background.

    Parameters
    ----------
    name : str
    contrast : float
        Amplitude of the structure relative to the background (1 is full contrast).
    noise : float
        Standard deviation of additive Gaussian noise (structure amplitude is about 1).
    blur : float
        Standard deviation, in pixels, of a Gaussian point-spread function (0 for none).
    background : float
        Amplitude of a smooth random background (uneven illumination or tissue).
    gamma : float
        Intensity non-linearity applied before noise (1 is linear).
    """

    name: str
    contrast: float = 1.0
    noise: float = 0.08
    blur: float = 0.0
    background: float = 0.15
    gamma: float = 1.0


STYLES = {
    "standard": AcquisitionStyle("standard"),
    "low_contrast": AcquisitionStyle("low_contrast", contrast=0.35, noise=0.08, background=0.35),
    "noisy": AcquisitionStyle("noisy", noise=0.35),
    "blurred": AcquisitionStyle("blurred", blur=1.2),
    "scanner_b": AcquisitionStyle("scanner_b", contrast=0.7, noise=0.18, blur=0.7, background=0.25,
                                  gamma=0.7),
}
"""Acquisition styles by name; ``"scanner_b"`` combines all shifts and is the workbook's shifted domain."""


@dataclass(frozen=True, repr=False)
class SyntheticImages:
    """A set of synthetic images with integer labels.

    Attributes
    ----------
    images : ndarray of shape (n_images, 28, 28), float32
        Standardised images (zero mean, unit std each).
    labels : ndarray of shape (n_images,), int64
        Indices into :data:`CLASS_NAMES`.
    style : str
        Name of the acquisition style.
    """

    images: np.ndarray
    labels: np.ndarray
    style: str

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(CLASS_NAMES[label] for label in np.unique(self.labels))

    def __repr__(self) -> str:
        n_classes = np.unique(self.labels).size
        height, width = self.images.shape[1:3]
        return (f"SyntheticImages({len(self.images)} images of {height}x{width}, "
                f"{n_classes} classes, style={self.style!r})")


# --- drawing primitives, vectorised over a batch of n images -------------------------------------------

_EDGE = 0.035  # softness of edges, in the [-1, 1] image coordinates (one pixel is 2/28 = 0.071)


def _soft(signed_distance):
    """1 inside (positive distance), 0 outside, with a smooth edge one pixel wide."""
    return 0.5 * (1.0 + np.tanh(signed_distance / _EDGE))


def _column(values):
    return np.asarray(values, dtype=float).reshape(-1, 1, 1)


def _disc(y, x, centre_y, centre_x, radius):
    return _soft(_column(radius) - np.hypot(y - _column(centre_y), x - _column(centre_x)))


def _ring(y, x, centre_y, centre_x, radius, width):
    distance = np.hypot(y - _column(centre_y), x - _column(centre_x))
    return _soft(_column(width) / 2 - np.abs(distance - _column(radius)))


def _segment(y, x, start_y, start_x, end_y, end_x, width):
    """Thick line segment from start to end."""
    start_y, start_x, end_y, end_x = map(_column, (start_y, start_x, end_y, end_x))
    direction_y, direction_x = end_y - start_y, end_x - start_x
    length_squared = direction_y ** 2 + direction_x ** 2 + 1e-12
    t = np.clip(((y - start_y) * direction_y + (x - start_x) * direction_x) / length_squared, 0, 1)
    distance = np.hypot(y - start_y - t * direction_y, x - start_x - t * direction_x)
    return _soft(_column(width) / 2 - distance)


def _rotate(y, x, centre_y, centre_x, angle):
    cos, sin = np.cos(_column(angle)), np.sin(_column(angle))
    dy, dx = y - _column(centre_y), x - _column(centre_x)
    return cos * dy - sin * dx, sin * dy + cos * dx


def _grating(y, x, angle, frequency, phase):
    """A sinusoidal stripe texture: ``frequency`` cycles per image width along direction ``angle``."""
    along = y * np.cos(_column(angle)) + x * np.sin(_column(angle))
    return 0.5 + 0.5 * np.sin(np.pi * _column(frequency) * along + _column(phase))


def _centres(rng, n, spread=0.25):
    return rng.uniform(-spread, spread, n), rng.uniform(-spread, spread, n)


def _blobs_on_circle(rng, y, x, count, blob_radius, circle_radius):
    """``count`` discs evenly spaced (with jitter) on a circle: counts stay countable, never overlap."""
    n = y.shape[0]
    centre_y, centre_x = _centres(rng, n, 0.12)
    start = rng.uniform(0, 2 * np.pi, n)
    image = np.zeros((n,) + y.shape[1:])
    for k in range(count):
        angle = start + 2 * np.pi * k / count + rng.uniform(-0.25, 0.25, n)
        image = np.maximum(image, _disc(y, x, centre_y + circle_radius * np.cos(angle),
                                        centre_x + circle_radius * np.sin(angle), blob_radius))
    return image


def _polar_mass(rng, y, x, n_lobes, amplitude, sharpness):
    """A mass whose border radius varies with angle: smooth lobes or sharp spicules."""
    n = y.shape[0]
    centre_y, centre_x = _centres(rng, n, 0.2)
    dy, dx = y - _column(centre_y), x - _column(centre_x)
    radius, theta = np.hypot(dy, dx), np.arctan2(dy, dx)
    base = _column(rng.uniform(0.25, 0.35, n))
    wave = np.abs(np.cos(0.5 * _column(n_lobes) * theta + _column(rng.uniform(0, np.pi, n)))) ** sharpness
    return _soft(base * (1 + _column(amplitude) * wave) - radius)


def _smooth_noise(rng, n, size, sigma):
    field = gaussian_filter(rng.standard_normal((n, size, size)), sigma=(0, sigma, sigma), mode="wrap")
    field /= field.std(axis=(1, 2), keepdims=True) + 1e-12
    return field


def _draw_class(name, rng, y, x):
    n, size = y.shape[0], y.shape[1]
    uniform = rng.uniform
    if name == "disc":
        return _disc(y, x, *_centres(rng, n), uniform(0.25, 0.45, n))
    if name == "ring":
        return _ring(y, x, *_centres(rng, n), uniform(0.3, 0.45, n), uniform(0.1, 0.16, n))
    if name in ("two_discs", "three_discs"):
        count = 2 if name == "two_discs" else 3
        return _blobs_on_circle(rng, y, x, count, uniform(0.14, 0.2, n), uniform(0.4, 0.5, n))
    if name == "many_dots":
        image = np.zeros((n, size, size))
        count = rng.integers(7, 11, n)
        for k in range(10):
            dots = _disc(y, x, uniform(-0.7, 0.7, n), uniform(-0.7, 0.7, n), uniform(0.06, 0.1, n))
            image = np.maximum(image, dots * _column(k < count))
        return image
    if name == "spiculated_mass":
        return _polar_mass(rng, y, x, rng.integers(9, 14, n), uniform(0.7, 1.0, n), sharpness=12)
    if name == "lobulated_mass":
        return _polar_mass(rng, y, x, rng.integers(3, 5, n), uniform(0.25, 0.4, n), sharpness=2)
    stripe_angles = {"horizontal_stripes": 0.0, "vertical_stripes": np.pi / 2, "diagonal_stripes": np.pi / 4}
    if name in stripe_angles:
        angle = stripe_angles[name] + uniform(-0.2, 0.2, n)
        return _grating(y, x, angle, uniform(3.5, 5.0, n), uniform(0, 2 * np.pi, n))
    if name == "checkerboard":
        angle, frequency = uniform(-0.2, 0.2, n), uniform(3.0, 4.0, n)
        along, across = _rotate(y, x, 0, 0, angle)
        first = np.sin(np.pi * _column(frequency) * along + _column(uniform(0, 6.3, n)))
        second = np.sin(np.pi * _column(frequency) * across + _column(uniform(0, 6.3, n)))
        return _soft(first * second * 0.1)
    if name == "crosshatch":
        angle, frequency = uniform(-0.2, 0.2, n), uniform(3.5, 5.0, n)
        return 0.5 * (_grating(y, x, angle, frequency, uniform(0, 6.3, n)) ** 4
                      + _grating(y, x, angle + np.pi / 2, frequency, uniform(0, 6.3, n)) ** 4)
    if name == "target_rings":
        centre_y, centre_x = _centres(rng, n, 0.15)
        radius = np.hypot(y - _column(centre_y), x - _column(centre_x))
        return (0.5 + 0.5 * np.cos(2 * np.pi * _column(uniform(3.5, 4.5, n)) * radius)) * _soft(0.7 - radius)
    if name == "bar":
        centre_y, centre_x = _centres(rng, n)
        angle, half = uniform(0, np.pi, n), uniform(0.45, 0.65, n)
        cos, sin = half * np.cos(angle), half * np.sin(angle)
        return _segment(y, x, centre_y - cos, centre_x - sin, centre_y + cos, centre_x + sin,
                        uniform(0.14, 0.2, n))
    if name == "cross":
        centre_y, centre_x = _centres(rng, n, 0.15)
        angle, half, width = uniform(0, np.pi, n), uniform(0.45, 0.6, n), uniform(0.12, 0.16, n)
        image = np.zeros((n, size, size))
        for turn in (0.0, np.pi / 2):
            cos, sin = np.cos(angle + turn), np.sin(angle + turn)
            image = np.maximum(image, _segment(y, x, centre_y - half * cos, centre_x - half * sin,
                                               centre_y + half * cos, centre_x + half * sin, width))
        return image
    if name == "branching_vessel":
        centre_y, centre_x = _centres(rng, n, 0.15)
        angle, width = uniform(0, 2 * np.pi, n), uniform(0.1, 0.14, n)
        image = np.zeros((n, size, size))
        for offset, length in ((0.0, 0.7), (np.pi - 0.5, 0.55), (np.pi + 0.5, 0.55)):
            spread = offset + uniform(-0.15, 0.15, n)
            image = np.maximum(image, _segment(y, x, centre_y, centre_x,
                                               centre_y + length * np.cos(angle + spread),
                                               centre_x + length * np.sin(angle + spread), width))
        return image
    if name == "fine_speckle":
        return _smooth_noise(rng, n, size, 0.7)
    if name == "coarse_blobs":
        return _smooth_noise(rng, n, size, 2.5)
    if name == "crescent":
        centre_y, centre_x = _centres(rng, n, 0.2)
        radius, angle = uniform(0.35, 0.45, n), uniform(0, 2 * np.pi, n)
        shift = radius * uniform(0.35, 0.5, n)
        outer = _disc(y, x, centre_y, centre_x, radius)
        inner = _disc(y, x, centre_y + shift * np.cos(angle), centre_x + shift * np.sin(angle), radius * 0.95)
        return np.clip(outer - inner, 0, 1)
    if name == "square":
        centre_y, centre_x = _centres(rng, n)
        along, across = _rotate(y, x, centre_y, centre_x, uniform(0, np.pi / 2, n))
        half = _column(uniform(0.25, 0.38, n))
        return _soft(np.minimum(half - np.abs(along), half - np.abs(across)))
    if name == "triangle":
        centre_y, centre_x = _centres(rng, n, 0.2)
        start, radius = uniform(0, 2 * np.pi, n), _column(uniform(0.22, 0.3, n))
        inside = None
        for k in range(3):
            normal = start + 2 * np.pi * k / 3
            distance = radius - ((y - _column(centre_y)) * np.cos(_column(normal))
                                 + (x - _column(centre_x)) * np.sin(_column(normal)))
            inside = distance if inside is None else np.minimum(inside, distance)
        return _soft(inside)
    if name == "arc":
        centre_y, centre_x = _centres(rng, n, 0.2)
        ring = _ring(y, x, centre_y, centre_x, uniform(0.35, 0.5, n), uniform(0.12, 0.16, n))
        theta = np.arctan2(y - _column(centre_y), x - _column(centre_x))
        facing = np.cos(theta - _column(uniform(0, 2 * np.pi, n)))
        return ring * _soft((facing - 0.1) * 0.3)
    if name == "ring_with_dot":
        centre_y, centre_x = _centres(rng, n, 0.2)
        return np.maximum(_ring(y, x, centre_y, centre_x, uniform(0.35, 0.45, n), uniform(0.1, 0.14, n)),
                          _disc(y, x, centre_y, centre_x, uniform(0.1, 0.14, n)))
    if name == "two_rings":
        centre_y, centre_x = _centres(rng, n, 0.15)
        angle, offset = uniform(0, np.pi, n), uniform(0.32, 0.42, n)
        image = np.zeros((n, size, size))
        for side in (1, -1):
            image = np.maximum(image, _ring(y, x, centre_y + side * offset * np.cos(angle),
                                            centre_x + side * offset * np.sin(angle),
                                            uniform(0.17, 0.22, n), uniform(0.08, 0.11, n)))
        return image
    raise ValueError(f"unknown class name {name!r}")


def _check_style(style) -> AcquisitionStyle:
    if isinstance(style, AcquisitionStyle):
        return style
    if style not in STYLES:
        raise ValueError(f"style must be one of {sorted(STYLES)} or an AcquisitionStyle, got {style!r}")
    return STYLES[style]


def _acquire(clean, style: AcquisitionStyle, rng):
    n, size = clean.shape[0], clean.shape[1]
    image = style.contrast * clean ** style.gamma
    image = image + style.background * _smooth_noise(rng, n, size, 6.0)
    if style.blur > 0:
        image = gaussian_filter(image, sigma=(0, style.blur, style.blur), mode="nearest")
    image = image + style.noise * rng.standard_normal(image.shape)
    # Random gain and offset per image: brightness must never identify a class.
    image = image * rng.uniform(0.5, 2.0, (n, 1, 1)) + rng.uniform(-1.0, 1.0, (n, 1, 1))
    return standardise_images(image)


def make_synthetic_images(n_per_class: int = 20, *, classes=None, style="standard",
                          image_size: int = IMAGE_SIZE, random_state=None) -> SyntheticImages:
    """Generate synthetic medical-style grayscale images, ``n_per_class`` of each requested class.

    The images are synthetic (drawn by formulas, not acquired from patients). Each class is drawn in one
    vectorised numpy pass with random position, size, rotation, background, gain and noise, then
    standardised, so only structure tells classes apart.

    Parameters
    ----------
    n_per_class : int, default=20
    classes : sequence of int or str, or None, default=None
        Class indices or names (see :data:`CLASS_NAMES`); None draws all 24 classes.
    style : str or AcquisitionStyle, default="standard"
        Acquisition style, a key of :data:`STYLES` (``"standard"``, ``"low_contrast"``, ``"noisy"``,
        ``"blurred"``, ``"scanner_b"``).
    image_size : int, default=28
    random_state : int, Generator or None
        The same seed and arguments give the same images.

    Returns
    -------
    SyntheticImages
        ``images`` (n, image_size, image_size) float32, ``labels`` (n,) int64 ordered class by class.

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    Examples
    --------
    >>> data = make_synthetic_images(5, classes=["disc", "ring"], random_state=0)
    >>> data
    SyntheticImages(10 images of 28x28, 2 classes, style='standard')
    >>> data.labels.tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    """
    n_per_class = check_count("n_per_class", n_per_class)
    image_size = check_count("image_size", image_size, minimum=8)
    # the drawing works on a few float64 images at a time; the result is float32
    check_memory(f"{n_per_class} images per class", 4 * n_per_class * len(CLASS_NAMES) * image_size**2)
    style = _check_style(style)
    indices = _class_indices(classes)
    rng = make_rng(random_state)
    coordinates = np.linspace(-1.0, 1.0, image_size)
    y, x = np.meshgrid(coordinates, coordinates, indexing="ij")
    y = np.broadcast_to(y, (n_per_class, image_size, image_size))
    x = np.broadcast_to(x, (n_per_class, image_size, image_size))
    clean = np.concatenate([_draw_class(CLASS_NAMES[index], rng, y, x) for index in indices])
    # Textures are zero-mean fields; map them to [0, 1] like the shapes before "acquisition".
    low = clean.min(axis=(1, 2), keepdims=True)
    clean = (clean - low) / np.maximum(clean.max(axis=(1, 2), keepdims=True) - low, 1e-6)
    images = _acquire(clean, style, rng)
    labels = np.repeat(np.asarray(indices, dtype=np.int64), n_per_class)
    return SyntheticImages(images=images, labels=labels, style=style.name)


def _class_indices(classes) -> list[int]:
    if classes is None:
        return list(range(len(CLASS_NAMES)))
    if isinstance(classes, (str, int, np.integer)):
        classes = [classes]
    indices, n_classes = [], len(CLASS_NAMES)
    for item in classes:
        if isinstance(item, str):
            if item not in CLASS_NAMES:
                raise ValueError(f"unknown class name {item!r}; choose from CLASS_NAMES")
            indices.append(CLASS_NAMES.index(item))
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool) and 0 <= item < n_classes:
            indices.append(int(item))
        else:
            raise ValueError(f"class {item!r} is neither a name in CLASS_NAMES "
                             f"nor an index 0..{n_classes - 1}")
    if len(set(indices)) != len(indices):
        raise ValueError("classes contains duplicates")
    return indices


def load_synthetic_split(split: str = "meta_train", n_per_class: int = 100, *, style="standard",
                         random_state=None) -> SyntheticImages:
    """Generate the meta-training or meta-test classes of the synthetic set.

    Parameters
    ----------
    split : {"meta_train", "meta_test"}, default="meta_train"
        ``"meta_train"`` draws :data:`META_TRAIN_CLASSES` (16 classes), ``"meta_test"`` draws
        :data:`META_TEST_CLASSES` (8 other classes): the class-split protocol of few-shot learning.
    n_per_class : int, default=100
    style : str or AcquisitionStyle, default="standard"
    random_state : int, Generator or None

    Returns
    -------
    SyntheticImages

    Examples
    --------
    >>> test = load_synthetic_split("meta_test", 3, random_state=0)
    >>> test.images.shape, sorted(set(test.labels.tolist())) == list(META_TEST_CLASSES)
    ((24, 28, 28), True)
    """
    splits = {"meta_train": META_TRAIN_CLASSES, "meta_test": META_TEST_CLASSES}
    if split not in splits:
        raise ValueError(f"split must be 'meta_train' or 'meta_test', got {split!r}")
    return make_synthetic_images(n_per_class, classes=splits[split], style=style, random_state=random_state)
