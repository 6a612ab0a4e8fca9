"""Perception: faces, a tracked 468-point face mesh and a person mask, as a ``Scene``.

One module per concern: ``anchors`` (SSD anchors, decoding, weighted NMS),
``detector``, ``roi`` (rotated face crops), ``landmarker``, ``one_euro`` and
``tracking``, ``segmenter``, ``workers`` (live threads) and ``assembly``
(the ``Perception`` stage).
"""

from device.perception.assembly import NEEDS, Perception

__all__ = ["NEEDS", "Perception"]
