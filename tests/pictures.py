"""What makes a written picture non-trivial: a PNG of the expected size holding a drawing, not a blank page."""

import numpy as np


def assert_drawn(path, size=None):
    """``path`` is a PNG (of ``size`` (width, height) pixels, when given) where at least 2% of the pixels are neither
    white nor the most common colour, in at least 8 distinct colours."""
    import matplotlib.image

    pixels = matplotlib.image.imread(str(path))[..., :3]
    if size is not None:
        assert (pixels.shape[1], pixels.shape[0]) == size
    colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    drawn = np.any(pixels != background, axis=-1) & np.any(pixels < 0.99, axis=-1)
    assert drawn.mean() > 0.02 and len(colours) >= 8, (path, drawn.mean(), len(colours))
