"""Perception: faces, a tracked 468-point face mesh and a person mask, as a ``Scene``.

One module per concern: ``anchors`` (SSD anchors, decoding, weighted NMS),
``detector`` (letterbox + BlazeFace), ``roi`` (rotated face crops),
``landmarker`` (Face Mesh), ``one_euro`` and ``tracking`` (mesh-to-mesh
tracking with smoothing), ``segmenter`` (mask and its clean-up), ``model`` and
``loading`` (models through ``magicbooth.inference.loader``), ``workers`` (live threads),
``assembly`` (the ``Perception`` stage) and ``stage`` (its pipeline adapter). Hands, for the
booth's gestures, run apart from effects: ``palms`` (palm detector, hand crops), ``handmarks``
(21 landmarks), ``hands`` (tracking, its own thread) and ``gestures`` (poses and their timing).
"""

from magicbooth.perception.assembly import NEEDS, Perception

__all__ = ["NEEDS", "Perception"]
