"""Image preprocessing shared by synthetic and real images: standardisation, grey scale, a channel axis.

Every model in the package sees images prepared by these functions, so brightness and contrast carry no
class information and grey-scale images get the channel axis that convolutions expect.
"""

from __future__ import annotations

import numpy as np

from medmeta_lite.validation import check_finite


def standardise_images(images, name: str = "images") -> np.ndarray:
    """Scale each image to zero mean and unit standard deviation (float32).

    Used for the synthetic images and for real MedMNIST images alike, so that brightness and contrast
    carry no class information.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width) or (n_images, height, width, 1)

    Returns
    -------
    ndarray of float32, same shape

    Examples
    --------
    >>> import numpy as np
    >>> out = standardise_images(np.arange(8.0).reshape(2, 2, 2))
    >>> np.round(out.mean(axis=(1, 2)), 6).tolist(), np.round(out.std(axis=(1, 2)), 6).tolist()
    ([0.0, 0.0], [1.0, 1.0])
    """
    images = check_finite(name, images).astype(np.float32)
    if images.ndim < 3:
        raise ValueError(f"{name} must have shape (n_images, height, width[, 1]), got {images.shape}")
    axes = tuple(range(1, images.ndim))
    mean = images.mean(axis=axes, keepdims=True)
    std = images.std(axis=axes, keepdims=True)
    return ((images - mean) / np.maximum(std, 1e-6)).astype(np.float32)


_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 weights, the same as PIL's convert("L")


def to_grayscale(images) -> np.ndarray:
    """Convert RGB images ``(n, h, w, 3)`` to uint8 grayscale ``(n, h, w)`` with BT.601 luma weights.

    Examples
    --------
    >>> to_grayscale(np.full((1, 2, 2, 3), 200, dtype=np.uint8))[0, 0, 0]
    np.uint8(200)
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"expected RGB images of shape (n, height, width, 3), got {images.shape}")
    return np.clip(np.rint(images.astype(np.float64) @ _LUMA), 0, 255).astype(np.uint8)


def add_channel_axis(images) -> np.ndarray:
    """Give grey-scale images ``(n, height, width)`` the channel axis that convolutions expect.

    Images that already have a channel axis (four dimensions) are returned as they are.

    Examples
    --------
    >>> import numpy as np
    >>> add_channel_axis(np.zeros((2, 28, 28))).shape, add_channel_axis(np.zeros((2, 28, 28, 3))).shape
    ((2, 28, 28, 1), (2, 28, 28, 3))
    """
    images = np.asarray(images)
    return images[..., None] if images.ndim == 3 else images


def prepare_images(images, name: str = "images") -> np.ndarray:
    """Standardise each image and add the channel axis: ``(n, h, w)`` → float32 ``(n, h, w, 1)``."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"{name} must have shape (n_images, height, width[, 1]), got {images.shape}")
    return add_channel_axis(standardise_images(images, name))
