"""How bright the station looks: the common diffuse-sphere model."""

import numpy as np

ISS_INTRINSIC_MAGNITUDE = -1.3
"""Magnitude of the station at 1,000 km and full phase in this model."""


def apparent_magnitude(distance_km: np.ndarray, phase_angle_rad: np.ndarray) -> np.ndarray:
    """Estimated apparent magnitude; the phase angle is Sun-station-observer.

    m = -1.3 + 5·log10(d/1000 km) - 2.5·log10(sin φ + (π - φ)·cos φ)
    """
    phi = np.asarray(phase_angle_rad, dtype=float)
    # At φ = π the lit side faces away entirely; clamp to keep the log finite.
    phase_term = np.maximum(np.sin(phi) + (np.pi - phi) * np.cos(phi), 1e-6)
    return (
        ISS_INTRINSIC_MAGNITUDE
        + 5.0 * np.log10(np.asarray(distance_km, dtype=float) / 1000.0)
        - 2.5 * np.log10(phase_term)
    )


def brightness_words(magnitude: float) -> str:
    """A plain-words label for a magnitude, as a text message would say it."""
    if magnitude <= -3.0:
        return "very bright"
    if magnitude <= -1.5:
        return "bright"
    if magnitude <= 0.0:
        return "fairly bright"
    return "faint"
