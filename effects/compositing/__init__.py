"""The compositing kit every effect uses to make one picture out of the camera and its art.

Three concerns, one module each:

- ``layers``: depth order. A ``Stack`` holds the backdrop (or the room), art *behind* the person,
  the person cut out by ``Scene.mask``, and art *in front*; ``flatten`` draws them back to front.
- ``grading``: colour. ``measure`` a picture's ``Look`` (cast, brightness, contrast, noise);
  ``harmonize_person`` moves the person towards a new backdrop's light; ``match_art`` gives
  inserted art the camera picture's white balance, brightness, contrast and grain.
- ``light``: light between layers. ``light_wrap`` (backdrop light spilling onto the person's
  edge), ``decontaminate`` (old background colour out of the soft edge), ``contact_shadow``,
  ``haze`` and ground ``mist``.

Usage::

    from magicbooth.effects.compositing import Layer, Stack, match_art, measure
    room = measure(frame, noise=True)
    monster = Layer(match_art(rgb, alpha, room, phase=n), alpha, x, y)
    out = Stack(frame, scene.mask).behind(monster).flatten(light_wrap=0.5)

All functions take and return H×W×3 uint8 RGB and float32 0..1 masks at frame size; none keeps
state, so they are safe to call from any effect.
"""

from magicbooth.effects.compositing.grading import (
    Grade,
    Look,
    add_grain,
    harmonize_person,
    match_art,
    measure,
    noise_sigma,
)
from magicbooth.effects.compositing.layers import Layer, Stack, paint
from magicbooth.effects.compositing.light import contact_shadow, decontaminate, haze, light_wrap, mist, thumbnail

__all__ = ["Grade", "Layer", "Look", "Stack", "add_grain", "contact_shadow", "decontaminate", "harmonize_person",
           "haze", "light_wrap", "match_art", "measure", "mist", "noise_sigma", "paint", "thumbnail"]
